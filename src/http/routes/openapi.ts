import type { Handler } from "hono";
import { buildOpenApiDocument, type ServedRoute } from "../openapi/document.ts";

/**
 * `GET /openapi.json`: the OpenAPI document of the routes the app serves, built on the first
 * request (when every route is registered) and kept. Any key may read it, a read-only one
 * too: it describes the API and holds no data, but the API is not open, so neither is this.
 */
export function openApiRoute(routes: () => readonly ServedRoute[]): Handler {
  let document: string | null = null;
  return (c) => {
    document ??= JSON.stringify(buildOpenApiDocument(routes()));
    return c.body(document, 200, { "Content-Type": "application/json; charset=utf-8" });
  };
}
