import { Hono } from "hono";
import type { KeyService } from "../auth/key-service.ts";
import type { RunService } from "../domain/run-service.ts";
import type { Logger } from "../log/logger.ts";
import type { DaemonMetrics } from "../metrics/daemon-metrics.ts";
import { requestMetrics } from "../metrics/request-metrics.ts";
import type { ApiKey } from "../storage/key-store.ts";
import { requireApiKey } from "./auth.ts";
import { errorResponse, handleError, handleNotFound } from "./errors.ts";
import { requestLog } from "./request-log.ts";
import { jobRoutes } from "./routes/jobs.ts";
import { metricsRoute } from "./routes/metrics.ts";
import { nameRoutes } from "./routes/names.ts";
import { openApiRoute } from "./routes/openapi.ts";
import { scheduleRoutes, type ScheduleDependencies } from "./routes/schedules.ts";

export { MAX_BODY_BYTES } from "./body.ts";

export interface AppDependencies {
  runs: RunService;
  keys: KeyService;
  logger: Logger;
  /** Records a key's `last used` time; the daemon routes it through the write queue. */
  touchKey: (key: ApiKey) => void;
  /** What `/metrics` serves; requests are counted into it. */
  metrics?: DaemonMetrics;
  /** Serve `/metrics` without a key to clients on a loopback address. */
  metricsOpenOnLoopback?: boolean;
  /** Log one line per request (never a body or a header). */
  logRequests?: boolean;
  /** What makes the daemon unhealthy now (/healthz answers 503 with it), or null. */
  healthProblem?: () => string | null;
  /** The schedules and the names view; their routes answer 503 without them. */
  schedules?: ScheduleDependencies;
}

/** The HTTP API: health, then authentication, then the job routes under both prefixes. */
export function createApp(deps: AppDependencies): Hono {
  const app = new Hono({ strict: false });
  app.onError(handleError(deps.logger));
  app.notFound(handleNotFound);
  if (deps.metrics) app.use("*", requestMetrics(deps.metrics.http));
  if (deps.logRequests) app.use("*", requestLog(deps.logger));

  app.get("/healthz", (c) => {
    const problem = deps.healthProblem?.() ?? null;
    if (problem !== null) return errorResponse(c, 503, "unavailable", problem);
    return c.json({ status: "ok" });
  });
  const metrics = {
    render: () => deps.metrics?.render() ?? "",
    keys: deps.keys,
    touchKey: deps.touchKey,
    openOnLoopback: deps.metricsOpenOnLoopback ?? false,
  };
  app.get("/metrics", ...metricsRoute(metrics));

  app.use("*", requireApiKey(deps.keys, deps.touchKey));
  // Behind the key like every route but /healthz: any key may read it, a read-only one too.
  app.get(
    "/openapi.json",
    openApiRoute(() => app.routes),
  );

  const jobs = jobRoutes(deps.runs);
  app.route("/api/jobs", jobs);
  app.route("/jobs", jobs);
  app.route("/api/schedules", scheduleRoutes(deps.schedules));
  app.route("/api/names", nameRoutes(deps.schedules));
  return app;
}
