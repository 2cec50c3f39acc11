import { VERSION } from "../../version.ts";
import { APP_OPERATIONS } from "./app-operations.ts";
import { JOB_OPERATIONS } from "./job-operations.ts";
import { SchemaConverter } from "./json-schema.ts";
import type { JsonSchema, Operation } from "./operation.ts";
import { errorJson } from "./response-schemas.ts";

/** A route as Hono lists it in `app.routes`. */
export interface ServedRoute {
  method: string;
  path: string;
}

export const JOB_PREFIXES = ["/api/jobs", "/jobs"];

/** The errors every route of an access or with a body may answer; the others are per route. */
const IMPLIED_ERROR_TEXT: Record<number, string> = {
  400: "Bad JSON or a bad field; the sentence names the field and the rule.",
  401: "Missing, malformed, unknown or revoked key.",
  403: "A read-only key tried to write.",
  413: "The body is larger than 1 MiB.",
  503: "The database is locked or cannot write; retry after `Retry-After` seconds.",
};

/** What the app serves that this document has no description for (the test wants none). */
export function undocumentedRoutes(routes: readonly ServedRoute[]): string[] {
  return servedOperations(routes)
    .filter((route) => !operationOf(route))
    .map((route) => `${route.method} ${route.path}`);
}

/**
 * The OpenAPI 3.1 document of the routes the app really serves (`app.routes`), each
 * described from the tables of job-operations.ts and app-operations.ts with schemas
 * generated from zod. A route without a description still appears, marked as such.
 */
export function buildOpenApiDocument(routes: readonly ServedRoute[]): JsonSchema {
  const converter = new SchemaConverter();
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of servedOperations(routes)) {
    const operation = operationOf(route);
    const key = route.path.replace(/:(\w+)(\{[^}]*\})?/g, "{$1}");
    paths[key] ??= {};
    paths[key][route.method.toLowerCase()] = operation
      ? toOpenApi(route, operation, converter)
      : { summary: "(not described yet)", responses: { default: { description: "unknown" } } };
  }
  converter.convert(errorJson);

  return {
    openapi: "3.1.0",
    info: {
      title: "StatusBox",
      version: VERSION,
      description:
        "A self-hosted job monitor. Every job route answers under both /api/jobs and /jobs, " +
        "with or without a trailing slash.",
    },
    // Relative: the daemon that served this document, wherever it listens.
    servers: [{ url: "/", description: "this StatusBox daemon" }],
    paths,
    components: {
      schemas: converter.components,
      securitySchemes: {
        apiKey: {
          type: "apiKey",
          in: "header",
          name: "Authorization",
          description: "`Authorization: ApiKey <secret>` (the scheme word in any case).",
        },
        bearer: { type: "http", scheme: "bearer", description: "The same secret as Bearer." },
      },
    },
  };
}

function servedOperations(routes: readonly ServedRoute[]): ServedRoute[] {
  const seen = new Map<string, ServedRoute>();
  for (const route of routes) {
    // Middleware is registered under ALL; it is not an operation.
    if (route.method === "ALL") continue;
    const path = route.path.length > 1 ? route.path.replace(/\/$/, "") : route.path;
    seen.set(`${route.method} ${path}`, { method: route.method, path });
  }
  return [...seen.values()];
}

/** The description of a served route (a Hono path, `:id`), if it has one. */
export function operationOf(route: ServedRoute): Operation | undefined {
  for (const prefix of JOB_PREFIXES) {
    if (route.path !== prefix && !route.path.startsWith(`${prefix}/`)) continue;
    const rest = route.path.slice(prefix.length) || "/";
    return JOB_OPERATIONS[`${route.method} ${rest}`];
  }
  return APP_OPERATIONS[`${route.method} ${route.path}`];
}

function toOpenApi(route: ServedRoute, op: Operation, converter: SchemaConverter): JsonSchema {
  const parameters: JsonSchema[] = [];
  for (const [, name] of route.path.matchAll(/:(\w+)/g)) {
    const runId = {
      schema: { type: "string", pattern: "^[1-9][0-9]{0,15}$" },
      description: "A run id.",
    };
    const { schema, description } = op.pathParams?.[name!] ?? runId;
    parameters.push({ name, in: "path", required: true, schema, description });
  }
  if (op.query) parameters.push(...queryParameters(op, converter));
  for (const header of op.headers ?? []) {
    parameters.push({ ...header, in: "header", required: false, schema: { type: "string" } });
  }

  const result: JsonSchema = {
    operationId: operationId(route),
    summary: op.summary,
    description: op.description,
    tags: [op.tag],
    security: op.access === "none" ? [] : [{ apiKey: [] }, { bearer: [] }],
    parameters,
    responses: responses(op, converter),
  };
  if (op.body) {
    const schema =
      typeof op.body.schema === "function"
        ? op.body.schema((s) => converter.convert(s, "input"))
        : converter.convert(op.body.schema, "input");
    const content = { "application/json": { schema } };
    result.requestBody = { required: op.body.required, description: op.body.description, content };
  }
  return result;
}

function queryParameters(op: Operation, converter: SchemaConverter): JsonSchema[] {
  const json = converter.convert(op.query!, "input");
  const properties = (json.properties ?? {}) as Record<string, JsonSchema>;
  const required = (json.required ?? []) as string[];
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    in: "query",
    required: required.includes(name),
    schema,
    description: op.queryNotes?.[name] ?? "",
  }));
}

function responses(op: Operation, converter: SchemaConverter): JsonSchema {
  let content: JsonSchema | undefined;
  if (op.ok.json) content = { "application/json": { schema: converter.convert(op.ok.json) } };
  else if (op.ok.contentType) content = { [op.ok.contentType]: { schema: { type: "string" } } };
  const answers: JsonSchema = {};
  for (const [status, description] of Object.entries(
    op.ok.statuses ?? { 200: op.ok.description },
  )) {
    answers[status] = content ? { description, content } : { description };
  }

  const errors = new Map<number, string>();
  const implied = (status: number) => errors.set(status, IMPLIED_ERROR_TEXT[status]!);
  if (op.access !== "none") implied(401);
  if (op.access === "write") [403, 503].forEach(implied);
  if (op.body) [400, 413].forEach(implied);
  // A route's own text wins: its 400 may be a bad name in the path rather than a bad field.
  for (const [status, text] of Object.entries(op.errors ?? {})) errors.set(Number(status), text);

  for (const status of [...errors.keys()].sort()) {
    answers[String(status)] = {
      description: errors.get(status),
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
  }
  return answers;
}

function operationId(route: ServedRoute): string {
  const words = route.path.split(/[/:{}]+/).filter(Boolean);
  return [route.method.toLowerCase(), ...words].join("_").replace(/[^\w]/g, "_");
}
