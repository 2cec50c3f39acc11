import type { MiddlewareHandler } from "hono";
import type { Logger } from "../log/logger.ts";
import type { AuthVariables } from "./auth.ts";
import { routePatternOf } from "./route-pattern.ts";

/**
 * One log line per request, after it is answered: method, path, route pattern, status,
 * duration and the id of the key that made it. Never a header, a query string or a body,
 * so that neither a secret nor a job's output ends up in the log.
 */
export function requestLog(
  logger: Logger,
): MiddlewareHandler<{ Variables: Partial<AuthVariables> }> {
  return async (c, next) => {
    const started = performance.now();
    await next();
    logger.info("request", {
      method: c.req.method,
      path: c.req.path,
      route: routePatternOf(c),
      status: c.res.status,
      ms: Math.round((performance.now() - started) * 10) / 10,
      key: c.get("apiKey")?.id,
    });
  };
}
