import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020 from "ajv/dist/2020.js";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createApp } from "../src/http/app.ts";
import {
  buildOpenApiDocument,
  operationOf,
  undocumentedRoutes,
} from "../src/http/openapi/document.ts";
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
import { specOf } from "../src/schedules/spec.ts";
import { createRun, startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";

/** The app exactly as the daemon builds it; only its route table is read. */
const app = () =>
  createApp({ runs: {} as never, keys: {} as never, logger: silentLogger, touchKey: () => {} });

const everyHour = () => {
  const spec = specOf({ every: "1h" });
  if ("error" in spec) throw new Error(spec.error);
  return spec;
};

const METHODS = ["get", "post", "put", "patch", "delete"];

let daemon: TestDaemon;
let doc: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- read field by field
beforeAll(async () => {
  // One schedule from the config file, which the API refuses to change (409).
  daemon = await startTestDaemon({ schedules: [{ name: "from-config", spec: everyHour() }] });
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

/**
 * Checks one real answer against the document: its status is among the operation's
 * `responses`, and its body parses with the zod schema the operation was documented from
 * (the error shape for an error). `route` is the Hono pattern: `GET /api/jobs/:id`.
 */
async function expectDocumented(route: string, response: Response): Promise<unknown> {
  const [method, path] = route.split(" ") as [string, string];
  const operation = operationOf({ method, path });
  expect(operation, route).toBeDefined();
  const template = path.replace(/:(\w+)/g, "{$1}");
  const documented = Object.keys(doc.paths[template][method.toLowerCase()].responses);
  expect(documented, `${route} answered ${response.status}`).toContain(String(response.status));

  const text = await response.text();
  if (response.status >= 400) return errorJson.parse(JSON.parse(text));
  if (operation!.ok.json) return operation!.ok.json.parse(JSON.parse(text));
  return text;
}

describe("the documented answers", () => {
  test("of the job routes match what the API really answers, status and fields", async () => {
    const created = await daemon.post("/api/jobs/", { name: "backup", timeoutSeconds: 60 });
    const { id } = createdJson.parse(await expectDocumented("POST /api/jobs", created));
    const logged = await daemon.post(`/jobs/${id}`, { message: "hello" });
    expect(await expectDocumented("POST /jobs/:id", logged)).toBe("");
    const batch = await daemon.post(`/api/jobs/${id}/events`, ["a", { message: "b" }]);
    batchAnswer.parse(await expectDocumented("POST /api/jobs/:id/events", batch));
    const reused = await daemon.request(`/api/jobs/${id}/events`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "k1" },
      body: JSON.stringify(["one"]),
    });
    await expectDocumented("POST /api/jobs/:id/events", reused);
    const conflicting = await daemon.request(`/api/jobs/${id}/events`, {
      method: "POST",
      headers: { "content-type": "application/json", "idempotency-key": "k1" },
      body: JSON.stringify(["two"]),
    });
    expect(conflicting.status).toBe(422);
    await expectDocumented("POST /api/jobs/:id/events", conflicting);
    const ended = await daemon.post(`/jobs/${id}/complete`, { exitCode: 0, message: "done" });
    await expectDocumented("POST /jobs/:id/complete", ended);
    await createRun(daemon);

    jobAnswer.parse(await expectDocumented("GET /api/jobs/:id", await get(`/api/jobs/${id}`)));
    const list = await get("/api/jobs?limit=1");
    jobListAnswer.parse(await expectDocumented("GET /api/jobs", list));
    const events = await get(`/jobs/${id}/events`);
    eventListAnswer.parse(await expectDocumented("GET /jobs/:id/events", events));
    await expectDocumented("GET /api/jobs", await get("/api/jobs?limit=0"));
    await expectDocumented("GET /jobs/:id/events", await get("/jobs/999/events"));

    const conflict = await daemon.post(`/jobs/${id}/fail`);
    expect(conflict.status).toBe(409);
    const refused = await expectDocumented("POST /jobs/:id/fail", conflict);
    expect(errorJson.parse(refused).jobStatus).toBe("completed");
    await expectDocumented("GET /api/jobs/:id", await get("/api/jobs/999"));
    await expectDocumented("GET /api/jobs/:id", await get("/api/jobs/1", null));
    const readOnly = daemon.keys.create("read-only", "read").secret;
    await expectDocumented("POST /api/jobs", await daemon.post("/api/jobs", {}, readOnly));
    await expectDocumented("POST /api/jobs", await daemon.post("/api/jobs", { name: "" }));
  });

  test("of the schedule and names routes match what the API really answers", async () => {
    const put = (name: string, body: unknown, key?: string) =>
      daemon.request(`/api/schedules/${name}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        key,
      });
    const remove = (name: string) => daemon.request(`/api/schedules/${name}`, { method: "DELETE" });
    const PUT = "PUT /api/schedules/:name";
    const DELETE = "DELETE /api/schedules/:name";
    const ONE = "GET /api/schedules/:name";

    const created = await put("reports", { cron: "0 6 * * *", tz: "Europe/Berlin" });
    expect(created.status).toBe(201);
    await expectDocumented(PUT, created);
    const replaced = await put("reports", { every: "1h", grace: "10m" });
    expect(replaced.status).toBe(200);
    await expectDocumented(PUT, replaced);
    await expectDocumented(PUT, await put("reports", { every: "1 hour" }));
    await expectDocumented(PUT, await put("reports", { every: "1h", extra: 1 }));
    await expectDocumented(PUT, await put("%ZZ", { every: "1h" }));
    const readOnly = daemon.keys.create("schedule-reader", "read").secret;
    await expectDocumented(PUT, await put("reports", { every: "1h" }, readOnly));
    const fromConfig = await put("from-config", { every: "1h" });
    expect(fromConfig.status).toBe(409);
    await expectDocumented(PUT, fromConfig);

    await expectDocumented("GET /api/schedules", await get("/api/schedules"));
    await expectDocumented(ONE, await get("/api/schedules/reports"));
    const missing = await get("/api/schedules/no-such-name");
    expect(missing.status).toBe(404);
    await expectDocumented(ONE, missing);
    await expectDocumented(ONE, await get("/api/schedules/%ZZ"));
    await expectDocumented(ONE, await get("/api/schedules/reports", null));

    await expectDocumented("GET /api/names", await get("/api/names?limit=2"));
    await expectDocumented("GET /api/names", await get("/api/names?limit=0"));

    await expectDocumented(DELETE, await remove("from-config"));
    await expectDocumented(DELETE, await remove("no-such-name"));
    await expectDocumented(DELETE, await remove("%ZZ"));
    const removed = await remove("reports");
    expect(removed.status).toBe(200);
    await expectDocumented(DELETE, removed);
  });

  test("say what a 404 or a 409 means on each route, not a run's words on a schedule's", () => {
    const text = (path: string, method: string, status: string) =>
      doc.paths[path][method].responses[status].description as string;
    expect(text("/api/jobs/{id}", "get", "404")).toBe("No such run.");
    expect(text("/api/schedules/{name}", "get", "404")).toBe("No schedule for this job name.");
    expect(text("/api/schedules/{name}", "delete", "409")).toContain("config file");
    expect(text("/api/schedules/{name}", "put", "201")).toContain("Created");
    expect(text("/jobs/{id}/fail", "post", "409")).toContain("end signal");
  });
});

/** A GET with the test's write key, or with `key` (null: none). */
const get = (path: string, key?: string | null) => daemon.request(path, { key });
