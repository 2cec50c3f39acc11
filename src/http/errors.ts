import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { StatusBoxError, type ErrorCode } from "../domain/errors.ts";
import type { Logger } from "../log/logger.ts";

/** The one error shape every route answers: `{"status":"error","error":"...","code":"..."}`. */
export function errorResponse(
  c: Context,
  status: number,
  code: ErrorCode | "internal",
  message: string,
  extra: Record<string, unknown> = {},
): Response {
  if (status === 401) c.header("WWW-Authenticate", 'ApiKey realm="statusbox"');
  if (status === 503) c.header("Retry-After", "1");
  // The rest of an over-limit body is never read: hang up rather than drain it.
  if (status === 413) c.header("Connection", "close");
  const body = { status: "error", error: message, code, ...extra };
  return c.json(body, status as ContentfulStatusCode);
}

/** Turns anything thrown by a route into the error shape; only the unexpected is logged. */
export function handleError(logger: Logger) {
  return (error: Error, c: Context): Response => {
    if (error instanceof StatusBoxError) {
      return errorResponse(c, error.status, error.code, error.message);
    }
    if (error instanceof HTTPException && error.status < 500) {
      return errorResponse(c, error.status, "bad_request", error.message || "bad request");
    }
    logger.error("unexpected error", {
      method: c.req.method,
      path: c.req.path,
      error: error.stack ?? String(error),
    });
    return errorResponse(c, 500, "internal", "internal error; the daemon's log has the details");
  };
}

export function handleNotFound(c: Context): Response {
  return errorResponse(c, 404, "not_found", `no such route: ${c.req.method} ${c.req.path}`);
}
