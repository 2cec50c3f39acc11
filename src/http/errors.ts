import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode } from "../domain/errors.ts";
import type { Logger } from "../log/logger.ts";
import { storageFailure } from "../storage/storage-errors.ts";
import { StorageFailureLog } from "./storage-failure-log.ts";

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

/**
 * The status recorded for a request whose client went away before its answer (nginx's 499):
 * no one reads it, but metrics and the request log show the request for what it was.
 */
export const CLIENT_CLOSED_STATUS = 499;

/** Turns anything thrown by a route into the error shape; only the unexpected is logged. */
export function handleError(logger: Logger) {
  const storageFailures = new StorageFailureLog(logger);
  return (error: Error, c: Context): Response => {
    if (clientWentAway(error, c.req.raw)) {
      // Not a server fault: the client hung up mid-body, or sent nothing for the idle
      // timeout, or shutdown closed its stalled connection. Nothing was stored.
      logger.debug("client went away", { method: c.req.method, path: c.req.path });
      return c.body(null, CLIENT_CLOSED_STATUS as ContentfulStatusCode);
    }
    // A read outside the write queue (whose writes are mapped already) that met a lock or a
    // failing disk: the client may retry, as it would a write.
    const known = storageFailure(error, "answer");
    if (known) {
      // A storage failure carries SQLite's error as its cause; the domain's refusals do not.
      if (known.status === 503 && known.cause !== undefined) {
        storageFailures.record(c.req.path, known.cause);
      }
      return errorResponse(c, known.status, known.code, known.message);
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

/**
 * Whether a route failed because its connection closed: Bun then rejects the body's read with
 * an AbortError (an empty stack, hence the former empty "unexpected error" lines) and aborts
 * the request's signal. Both must hold, so that a real fault is never mistaken for one.
 */
function clientWentAway(error: Error, request: Request): boolean {
  return error.name === "AbortError" && request.signal.aborted;
}

export function handleNotFound(c: Context): Response {
  return errorResponse(c, 404, "not_found", `no such route: ${c.req.method} ${c.req.path}`);
}
