import { Hono } from "hono";
import type { KeyService } from "../auth/key-service.ts";
import type { RunService } from "../domain/run-service.ts";
import type { Logger } from "../log/logger.ts";
import type { ApiKey } from "../storage/key-store.ts";
import { requireApiKey } from "./auth.ts";
import { handleError, handleNotFound } from "./errors.ts";
import { jobRoutes } from "./routes/jobs.ts";

export { MAX_BODY_BYTES } from "./body.ts";

export interface AppDependencies {
  runs: RunService;
  keys: KeyService;
  logger: Logger;
  /** Records a key's `last used` time; the daemon routes it through the write queue. */
  touchKey: (key: ApiKey) => void;
}

/** The HTTP API: health, then authentication, then the job routes under both prefixes. */
export function createApp(deps: AppDependencies): Hono {
  const app = new Hono({ strict: false });
  app.onError(handleError(deps.logger));
  app.notFound(handleNotFound);

  app.get("/healthz", (c) => c.json({ status: "ok" }));

  app.use("*", requireApiKey(deps.keys, deps.touchKey));

  const jobs = jobRoutes(deps.runs);
  app.route("/api/jobs", jobs);
  app.route("/jobs", jobs);
  return app;
}
