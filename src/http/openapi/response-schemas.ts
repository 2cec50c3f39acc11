import { z } from "zod";
import { EVENT_KINDS, RUN_STATUSES } from "../../domain/run.ts";

/**
 * The shapes the API answers with, as zod schemas: the OpenAPI document is generated from
 * them, and test/openapi.test.ts checks real answers against them, so that a field added to
 * serialize.ts without being documented fails a test. They are strict for that reason.
 */

const time = z.iso.datetime().meta({ description: "ISO 8601 UTC with milliseconds." });
const count = z.int().min(0);

export const jobJson = z
  .strictObject({
    id: z.int().min(1),
    name: z.string(),
    version: z.string().nullable(),
    status: z.enum(RUN_STATUSES),
    timeoutSeconds: z.number(),
    createdAt: time,
    deadlineAt: time,
    finishedAt: time.nullable(),
    durationMs: count.nullable(),
    reportedEndAt: time
      .nullable()
      .meta({ description: "When a complete or fail arrived after the run had timed out." }),
    reportedDurationMs: count.nullable(),
    exitCode: z.int().min(0).max(255).nullable(),
    message: z.string().nullable().meta({ description: "The end signal's message." }),
    eventCount: count.meta({ description: "Events stored on the run." }),
    eventsDropped: count.meta({
      description: "Oldest events retention dropped to keep the run under the per-run limit.",
    }),
    expectedAt: time
      .nullable()
      .optional()
      .meta({ description: "A missed run: the expected start that passed without a run." }),
    missedWindows: z
      .int()
      .min(0)
      .nullable()
      .optional()
      .meta({ description: "A missed run: how many windows passed without a run." }),
  })
  .meta({ id: "Job" });

export const eventJson = z
  .strictObject({
    id: z.int().min(1),
    jobId: z.int().min(1),
    at: time,
    kind: z.enum(EVENT_KINDS),
    message: z.string(),
    truncated: z.boolean().meta({ description: "The message was cut at 16 KiB of UTF-8." }),
    stream: z.enum(["stdout", "stderr"]).nullable(),
  })
  .meta({ id: "Event" });

export const errorJson = z
  .strictObject({
    status: z.literal("error"),
    error: z.string().meta({ description: "One sentence for a person." }),
    code: z.enum([
      "bad_request",
      "unauthorized",
      "forbidden",
      "not_found",
      "conflict",
      "payload_too_large",
      "idempotency_key_reused",
      "unavailable",
      "internal",
    ]),
    jobStatus: z
      .enum(RUN_STATUSES)
      .optional()
      .meta({ description: "On 409: the state the run is already in." }),
  })
  .meta({ id: "Error" });

export const okJson = z.strictObject({ status: z.literal("ok") });
export const createdJson = z.strictObject({ status: z.literal("ok"), id: z.int().min(1) });
export const jobAnswer = z.strictObject({ status: z.literal("ok"), job: jobJson });
export const jobListAnswer = z.strictObject({
  status: z.literal("ok"),
  jobs: z.array(jobJson),
  next: z.int().min(1).nullable().meta({ description: "The `before` of the next page." }),
});
export const eventListAnswer = z.strictObject({
  status: z.literal("ok"),
  events: z.array(eventJson),
});
export const batchAnswer = z.strictObject({
  status: z.literal("ok"),
  stored: count.meta({ description: "How many events the batch stored." }),
});
