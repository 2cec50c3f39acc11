import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createApp } from "../src/http/app.ts";
import { buildOpenApiDocument, undocumentedRoutes } from "../src/http/openapi/document.ts";
import {
  batchAnswer,
  createdJson,
  errorJson,
  eventListAnswer,
  jobAnswer,
  jobListAnswer,
} from "../src/http/openapi/response-schemas.ts";
import { MAX_NAME_CHARACTERS, MAX_TIMEOUT_SECONDS } from "../src/http/schemas.ts";
import { silentLogger } from "../src/log/logger.ts";
import { createRun, startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";

/** The app exactly as the daemon builds it; only its route table is read. */
const app = () =>
  createApp({ runs: {} as never, keys: {} as never, logger: silentLogger, touchKey: () => {} });

const METHODS = ["get", "post", "put", "patch", "delete"];

let daemon: TestDaemon;
let doc: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- read field by field
beforeAll(async () => {
  daemon = await startTestDaemon();
  const reader = daemon.keys.create("reader", "read").secret;
  const response = await daemon.request("/openapi.json", { key: reader });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toContain("application/json");
  doc = await response.json();
});
afterAll(() => daemon.close());

describe("GET /openapi.json", () => {
  test("describes its own answer as the JSON object it is", () => {
    const answer = doc.paths["/openapi.json"].get.responses["200"].content["application/json"];
    expect(answer.schema.type).toBe("object");
    expect(answer.schema.required).toEqual(["openapi", "info", "paths"]);
  });

  test("needs a key, like every route but /healthz", async () => {
    const response = await daemon.request("/openapi.json", { key: null });
    expect(response.status).toBe(401);
    expect((await response.json()).status).toBe("error");
  });

  test("is a valid OpenAPI 3.1 document, served to a read-only key", async () => {
    const validator = new Validator();
    const result = await validator.validate(structuredClone(doc));
    if (!result.valid) console.error(JSON.stringify(result.errors, null, 2));
    expect(result.valid).toBe(true);
    expect(validator.version).toBe("3.1");
  });

  test("describes every route the app serves, and nothing it does not", () => {
    const served = new Set<string>();
    for (const route of app().routes) {
      if (route.method === "ALL") continue;
      const path = route.path.replace(/\/$/, "").replace(/:(\w+)/g, "{$1}") || "/";
      served.add(`${route.method.toLowerCase()} ${path}`);
    }
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, object>)) {
      for (const method of Object.keys(item)) documented.add(`${method} ${path}`);
    }
    expect([...documented].sort()).toEqual([...served].sort());
    expect(undocumentedRoutes(app().routes)).toEqual([]);

    for (const expected of [
      "get /healthz",
      "get /metrics",
      "get /openapi.json",
      "post /api/jobs",
      "post /jobs/{id}/complete",
      "post /api/jobs/{id}/events",
      "get /jobs/{id}/events",
    ]) {
      expect(documented).toContain(expected);
    }
  });

  test("a route added without a description is caught", () => {
    const extended = app();
    extended.get("/api/jobs/:id/secrets", (c) => c.text("x"));
    expect(undocumentedRoutes(extended.routes)).toEqual(["GET /api/jobs/:id/secrets"]);
    const built = buildOpenApiDocument(extended.routes) as any; // eslint-disable-line
    expect(built.paths["/api/jobs/{id}/secrets"].get.summary).toBe("(not described yet)");
  });

  test("every operation has a summary, a description, a unique id and its errors", () => {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, any>)) {
      for (const method of METHODS) {
        const op = item[method];
        if (!op) continue;
        expect(op.summary, `${method} ${path}`).toBeTruthy();
        expect(op.description, `${method} ${path}`).toBeTruthy();
        expect(ids.has(op.operationId)).toBe(false);
        ids.add(op.operationId);
        expect(op.responses["200"]).toBeDefined();
        const open = op.security.length === 0;
        expect(op.responses["401"] === undefined).toBe(open);
        if (op.requestBody) expect(op.responses["400"]).toBeDefined();
      }
    }
    expect(ids.size).toBeGreaterThan(20);
  });

  test("every schema in it is a valid JSON Schema (draft 2020-12)", () => {
    // The OpenAPI validator checks the document's structure, not the schemas inside it.
    const ajv = new Ajv2020({ strict: false });
    const schemas: unknown[] = Object.values(doc.components.schemas);
    const collect = (node: unknown): void => {
      if (typeof node !== "object" || node === null) return;
      for (const [key, value] of Object.entries(node)) {
        if (key === "schema") schemas.push(value);
        else collect(value);
      }
    };
    collect(doc.paths);
    expect(schemas.length).toBeGreaterThan(30);
    for (const schema of schemas) {
      expect(ajv.validateSchema(schema as object), JSON.stringify(schema)).toBe(true);
    }
    expect(ajv.validateSchema({ type: 5 })).toBe(false);
  });

  test("every $ref points at a schema the document holds", () => {
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      const name = /#\/components\/schemas\/(\w+)/.exec(ref)?.[1];
      expect(name && doc.components.schemas[name], ref).toBeTruthy();
    }
  });

  test("request schemas come from the zod schemas that validate the requests", () => {
    const body = doc.paths["/api/jobs"].post.requestBody;
    const schema = body.content["application/json"].schema;
    expect(body.required).toBe(true);
    expect(schema.required).toEqual(["name", "timeoutSeconds"]);
    expect(schema.properties.name.maxLength).toBe(MAX_NAME_CHARACTERS);
    expect(schema.properties.timeoutSeconds).toMatchObject({
      type: "number",
      exclusiveMinimum: 0,
      maximum: MAX_TIMEOUT_SECONDS,
    });
    const list = doc.paths["/api/jobs"].get.parameters;
    expect(list.map((p: { name: string }) => p.name)).toEqual([
      "status",
      "name",
      "limit",
      "before",
    ]);
    const end = doc.paths["/jobs/{id}/fail"].post;
    expect(end.requestBody.required).toBe(false);
    expect(end.requestBody.content["application/json"].schema.properties.exitCode).toMatchObject({
      type: "integer",
      minimum: 0,
      maximum: 255,
    });
    expect(end.responses["409"]).toBeDefined();
  });
});

describe("the documented answers", () => {
  test("match what the API really answers, field for field", async () => {
    const created = await daemon.post("/api/jobs/", { name: "backup", timeoutSeconds: 60 });
    const { id } = createdJson.parse(await created.json());
    await daemon.post(`/jobs/${id}`, { message: "hello" });
    const batch = await daemon.post(`/api/jobs/${id}/events`, ["a", { message: "b" }]);
    batchAnswer.parse(await batch.json());
    await daemon.post(`/jobs/${id}/complete`, { exitCode: 0, message: "done" });
    await createRun(daemon);

    jobAnswer.parse(await (await daemon.request(`/api/jobs/${id}`)).json());
    jobListAnswer.parse(await (await daemon.request("/api/jobs?limit=1")).json());
    eventListAnswer.parse(await (await daemon.request(`/jobs/${id}/events`)).json());

    const conflict = await daemon.post(`/jobs/${id}/fail`);
    expect(conflict.status).toBe(409);
    expect(errorJson.parse(await conflict.json()).jobStatus).toBe("completed");
    errorJson.parse(await (await daemon.request("/api/jobs/999")).json());
    errorJson.parse(await (await daemon.request("/api/jobs/1", { key: null })).json());
  });
});
