import type { MiddlewareHandler } from "hono";
import { routePatternOf } from "../http/route-pattern.ts";
import type { Counter, Histogram } from "./registry.ts";

export interface HttpMetrics {
  /** statusbox_http_requests_total{method, route, status} */
  requests: Counter;
  /** statusbox_http_request_duration_seconds{method, route, status} */
  duration: Histogram;
}

/**
 * Counts every request and observes its latency, labelled by method, route pattern and
 * status. Registered first, so that refusals (401, 413) and 404s are counted too.
 */
export function requestMetrics(http: HttpMetrics): MiddlewareHandler {
  return async (c, next) => {
    const started = performance.now();
    await next();
    const labels = [c.req.method, routePatternOf(c), String(c.res.status)];
    http.requests.inc(labels);
    http.duration.observe(labels, (performance.now() - started) / 1000);
  };
}
