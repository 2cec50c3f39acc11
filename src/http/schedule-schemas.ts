import { z } from "zod";
import { RUN_STATUSES } from "../domain/run.ts";
import { scheduleFieldsShape } from "../schedules/spec.ts";

/**
 * The request and answer shapes of the schedule and names routes, as zod schemas: the routes
 * validate with the request ones, and the OpenAPI document is generated from all of them.
 * Answers are strict so that a field added without being described fails the OpenAPI test.
 */

/** `PUT /api/schedules/:name`: cron (with tz) or every, and grace; nothing else. */
export const putScheduleBody = z
  .strictObject(scheduleFieldsShape, {
    error: (issue) =>
      issue.code === "unrecognized_keys" ? `unknown field '${issue.keys[0]}'` : undefined,
  })
  .meta({ id: "ScheduleInput" });

const wholeNumber = (field: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, `${field} must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${field} must be a whole number from ${min} to ${max}`);

export const MAX_NAMES_PAGE = 1000;

export const listNamesQuery = z.object({
  limit: wholeNumber("limit", 1, MAX_NAMES_PAGE).default(200),
  after: z.string().optional(),
});

const time = z.iso.datetime().meta({ description: "ISO 8601 UTC with milliseconds." });
const count = z.int().min(0);

export const scheduleJson = z
  .strictObject({
    name: z.string(),
    cron: z.string().nullable(),
    tz: z.string().nullable(),
    every: z.string().nullable().meta({ description: "The period, as `1h30m`; null for cron." }),
    grace: z.string(),
    source: z.enum(["api", "config"]).meta({
      description: "Where it was declared; one from the config file is changed there only.",
    }),
    createdAt: time,
    updatedAt: time,
    nextExpectedAt: time.meta({ description: "When the next run is expected to start." }),
    missedAfter: time.meta({
      description: "nextExpectedAt plus grace: with no run by then, a missed run is recorded.",
    }),
  })
  .meta({ id: "Schedule" });

export const scheduleAnswer = z.strictObject({ status: z.literal("ok"), schedule: scheduleJson });
export const scheduleListAnswer = z.strictObject({
  status: z.literal("ok"),
  schedules: z.array(scheduleJson),
});

const tally = z.strictObject({
  runs: count,
  failures: count.meta({ description: "failed, timed_out or missed." }),
});

export const nameJson = z
  .strictObject({
    name: z.string(),
    lastRun: z
      .strictObject({
        id: z.int().min(1),
        status: z.enum(RUN_STATUSES),
        createdAt: time,
        finishedAt: time.nullable(),
      })
      .nullable(),
    lastSuccess: z.strictObject({ id: z.int().min(1), finishedAt: time }).nullable(),
    last24h: tally,
    last7d: tally,
    durationMs: z
      .strictObject({ median: count, p95: count, sample: count })
      .nullable()
      .meta({ description: "Over the last completed runs, at most 100; null with none." }),
    schedule: scheduleJson.nullable(),
    nextExpectedAt: time.nullable(),
  })
  .meta({ id: "JobName" });

export const nameListAnswer = z.strictObject({
  status: z.literal("ok"),
  names: z.array(nameJson),
  next: z.string().nullable().meta({ description: "The `after` of the next page." }),
});
