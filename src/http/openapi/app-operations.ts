import { z } from "zod";
import { EXPOSITION_CONTENT_TYPE } from "../../metrics/registry.ts";
import type { Operation } from "./operation.ts";
import { okJson } from "./response-schemas.ts";
import { SCHEDULE_OPERATIONS } from "./schedule-operations.ts";

/** The document's own shape, as far as a client needs it: OpenAPI 3.1 describes the rest. */
const OPENAPI_DOCUMENT = z.looseObject({
  openapi: z.string(),
  info: z.looseObject({ title: z.string(), version: z.string() }),
  paths: z.record(z.string(), z.unknown()),
});

/**
 * The routes outside the job prefixes, keyed by method and full path. A route added to
 * app.ts needs an entry here: the OpenAPI test fails for any route without one.
 */
export const APP_OPERATIONS: Record<string, Operation> = {
  "GET /healthz": {
    summary: "Health",
    description: "Answers 200 while the daemon serves and can store writes; needs no key.",
    tag: "operations",
    access: "none",
    ok: { description: "The daemon is up.", json: okJson },
    errors: {
      503: "The daemon cannot keep writes (its database file was deleted or replaced).",
    },
  },
  "GET /metrics": {
    summary: "Prometheus metrics",
    description:
      "Requests, runs, events, timers, alert deliveries and database size in the Prometheus " +
      "text format. Any key may scrape (read-only is enough); with " +
      "`metrics.open_on_loopback` a scraper on the same machine needs none.",
    tag: "operations",
    access: "metrics",
    ok: {
      description: "The exposition text, version 0.0.4.",
      contentType: EXPOSITION_CONTENT_TYPE,
    },
  },
  "GET /openapi.json": {
    summary: "This document",
    description: "The OpenAPI 3.1 description of every route; any key may read it.",
    tag: "operations",
    access: "read",
    ok: { description: "The OpenAPI document.", json: OPENAPI_DOCUMENT },
  },
  ...SCHEDULE_OPERATIONS,
};
