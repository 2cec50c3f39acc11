import { Hono } from "hono";
import { conflict } from "../../domain/errors.ts";
import { END_SIGNALS, type EndSignal } from "../../domain/run.ts";
import type { RunService } from "../../domain/run-service.ts";
import { readBody, validate } from "../body.ts";
import { readEventBatch, readIdempotencyKey } from "../event-batch.ts";
import { errorResponse } from "../errors.ts";
import { givenQuery, parseRunId } from "../params.ts";
import {
  createJobSchema,
  endSignalSchema,
  listEventsQuery,
  listJobsQuery,
  logEventSchema,
} from "../schemas.ts";
import { eventToJson, runToJson } from "../serialize.ts";

/**
 * The job routes, mounted under both `/jobs` and `/api/jobs`. Handlers only validate, call
 * the run service and answer; the rules live in the domain.
 */
export function jobRoutes(runs: RunService): Hono {
  const app = new Hono({ strict: false });

  app.post("/", async (c) => {
    const body = await readBody(c, createJobSchema);
    const run = await runs.create(body);
    return c.json({ status: "ok", id: run.id });
  });

  app.get("/", (c) => {
    const query = validate(listJobsQuery, givenQuery(c.req.query()));
    // One row more than the page tells whether another page exists, so that a last page that
    // is exactly full answers `next: null` rather than pointing at an empty page.
    const found = runs.list({ ...query, limit: query.limit + 1 });
    const page = found.slice(0, query.limit);
    const next = found.length > query.limit ? page[page.length - 1]!.id : null;
    return c.json({ status: "ok", jobs: page.map(runToJson), next });
  });

  app.post("/:id", async (c) => {
    const id = parseRunId(c.req.param("id"));
    const body = await readBody(c, logEventSchema);
    await runs.log(id, [{ message: body.message }]);
    return c.body(null, 200);
  });

  app.get("/:id", (c) => {
    const run = runs.get(parseRunId(c.req.param("id")));
    return c.json({ status: "ok", job: runToJson(run) });
  });

  app.get("/:id/events", (c) => {
    const id = parseRunId(c.req.param("id"));
    const query = validate(listEventsQuery, givenQuery(c.req.query()));
    const events = runs.events(id, query.after, query.limit);
    return c.json({ status: "ok", events: events.map(eventToJson) });
  });

  // Many lines in one request (a wrapper shipping a command's output), stored in one write;
  // an Idempotency-Key makes a retried batch safe.
  app.post("/:id/events", async (c) => {
    const id = parseRunId(c.req.param("id"));
    const key = readIdempotencyKey(c.req.header("idempotency-key"));
    const lines = await readEventBatch(c.req.raw);
    const { stored } = await runs.log(id, lines, key);
    return c.json({ status: "ok", stored });
  });

  for (const signal of END_SIGNALS) {
    app.post(`/:id/${signal}`, async (c) => {
      const id = parseRunId(c.req.param("id"));
      const body = await readBody(c, endSignalSchema, { emptyAllowed: true });
      const outcome = await runs.end(id, signal as EndSignal, body);
      if (outcome.kind !== "rejected") return c.body(null, 200);

      const refusal = conflict(`job ${id} is already ${outcome.status}; ${signal} refused`);
      return errorResponse(c, 409, refusal.code, refusal.message, { jobStatus: outcome.status });
    });
  }

  return app;
}
