import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import type { KeyService } from "../auth/key-service.ts";
import type { RunService } from "../domain/run-service.ts";
import type { Logger } from "../log/logger.ts";
import type { ApiKey } from "../storage/key-store.ts";
import { requireApiKey } from "./auth.ts";
import { errorResponse, handleError, handleNotFound } from "./errors.ts";
import { jobRoutes } from "./routes/jobs.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

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

  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: (c) => errorResponse(c, 413, "payload_too_large", "the body is larger than 1 MiB"),
    }),
  );
  app.use("*", requireApiKey(deps.keys, deps.touchKey));

  const jobs = jobRoutes(deps.runs);
  app.route("/api/jobs", jobs);
  app.route("/jobs", jobs);
  return app;
}
