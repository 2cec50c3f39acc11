import type { Context } from "hono";
import { matchedRoutes } from "hono/route";

/**
 * The route pattern a request matched (`/api/jobs/:id`), for metrics and request logs:
 * never the raw path, so that ids do not make a new series or hide the route. A request no
 * route matched (a 404) is `unmatched`. Call after `next()`, once routing has happened.
 */
export function routePatternOf(c: Context): string {
  // Middleware registered with `use` matches every path under method ALL; the first route
  // with a real method is the one that answers (or would have, had auth let it through).
  const route = matchedRoutes(c).find((r) => r.method !== "ALL");
  return route?.path ?? "unmatched";
}
