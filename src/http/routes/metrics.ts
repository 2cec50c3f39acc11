import type { Context, MiddlewareHandler } from "hono";
import type { KeyService } from "../../auth/key-service.ts";
import { EXPOSITION_CONTENT_TYPE } from "../../metrics/registry.ts";
import type { ApiKey } from "../../storage/key-store.ts";
import { requireApiKey } from "../auth.ts";

export interface MetricsRouteOptions {
  /** The exposition text, rendered at each scrape. */
  render: () => string;
  keys: KeyService;
  touchKey: (key: ApiKey) => void;
  /** Let clients on a loopback address scrape without a key. */
  openOnLoopback: boolean;
}

/**
 * `GET /metrics` in the Prometheus text format. Any valid key may scrape (a read-only key is
 * enough); with `openOnLoopback`, a scraper on the same machine needs none.
 *
 * Note: behind a reverse proxy on the same machine every request comes from loopback, so
 * `openOnLoopback` would open the metrics to whoever reaches the proxy.
 */
export function metricsRoute(options: MetricsRouteOptions): [MiddlewareHandler, MiddlewareHandler] {
  const withKey = requireApiKey(options.keys, options.touchKey);
  const access: MiddlewareHandler = async (c, next) => {
    if (options.openOnLoopback && isLoopbackClient(c)) return next();
    return withKey(c as never, next);
  };
  const scrape: MiddlewareHandler = async (c) =>
    c.body(options.render(), 200, { "Content-Type": EXPOSITION_CONTENT_TYPE });
  return [access, scrape];
}

/** Whether the TCP peer is on a loopback address; false when it cannot be known. */
export function isLoopbackClient(c: Context): boolean {
  const server = c.env as { requestIP?: (request: Request) => { address: string } | null };
  const address = server?.requestIP?.(c.req.raw)?.address ?? "";
  return address.startsWith("127.") || address === "::1" || address.startsWith("::ffff:127.");
}
