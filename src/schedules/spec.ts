import { Cron } from "croner";
import { z } from "zod";
import { formatScheduleDuration, parseScheduleDuration } from "./duration.ts";
import { CONTROL_CHARACTER, jobNameProblem } from "../domain/job-name.ts";
import { cronFieldsProblem } from "./cron-fields.ts";
import type { ScheduleSpec } from "./schedule.ts";

export const DEFAULT_TZ = "UTC";
export const DEFAULT_GRACE = "5m";
const MIN_MS = 1000;
const MAX_MS = 366 * 86_400_000;
const DURATION_RULE = "a duration like 30s, 5m, 1h or 1d";

/** The fields of a schedule as people write them, in the config file and over the API. */
export interface ScheduleFields {
  cron?: string | undefined;
  tz?: string | undefined;
  every?: string | undefined;
  grace?: string | undefined;
}

const text = (field: string, what: string) =>
  z.string({
    error: (issue) =>
      issue.input === undefined ? `${field} is required` : `${field} must be ${what}`,
  });

/**
 * The fields of a schedule, checked one by one; every message opens with the field's name
 * ("grace must be a duration like 30s, 5m, 1h or 1d"). Unknown fields are refused, so that
 * a typo (`gracee`) does not silently leave the default in place.
 */
export const scheduleFieldsShape = {
  cron: text("cron", "a string")
    .optional()
    .meta({
      description: "A cron expression: 5 fields, or 6 with seconds first. Either cron or every.",
      examples: ["0 3 * * *"],
    }),
  tz: text("tz", "a string")
    .optional()
    .meta({
      description: `The IANA time zone of cron (default ${DEFAULT_TZ}); only with cron.`,
      examples: ["Europe/Berlin"],
    }),
  every: text("every", DURATION_RULE)
    .optional()
    .meta({
      description: "A fixed period from the last run, 1s to 366d. Either cron or every.",
      examples: ["1h"],
    }),
  grace: text("grace", DURATION_RULE)
    .optional()
    .meta({
      description: `How late a run may start and still count, 1s to 366d; default ${DEFAULT_GRACE}`,
      examples: ["15m"],
    }),
};

/**
 * Turns the fields into a schedule, or answers the first mistake as one sentence that opens
 * with the field's name. A cron expression must have 5 fields or 6 (cronFieldsProblem), is
 * parsed by croner in its time zone, and one that never matches a time (`0 0 30 2 *`) is
 * refused. The API and the config file both come here, so they share every rule.
 */
export function specOf(fields: ScheduleFields): ScheduleSpec | { error: string } {
  const hasCron = fields.cron !== undefined;
  const hasEvery = fields.every !== undefined;
  if (hasCron === hasEvery) {
    return {
      error: hasCron ? "every must not be set along with cron" : "cron or every is required",
    };
  }
  const grace = durationOf("grace", fields.grace ?? DEFAULT_GRACE);
  if (typeof grace === "string") return { error: grace };

  if (hasEvery) {
    if (fields.tz !== undefined)
      return { error: "tz applies to cron only; every counts from the last run" };
    const every = durationOf("every", fields.every!);
    if (typeof every === "string") return { error: every };
    return { cron: null, tz: null, everyMs: every, graceMs: grace };
  }

  const tz = fields.tz ?? DEFAULT_TZ;
  if (!isTimeZone(tz))
    return { error: `tz must be an IANA time zone like Europe/Berlin, not '${tz}'` };
  // Fields may be parted by any white space (a tab, as in a crontab); stored with one space
  // between them, so that no newline or carriage return ever reaches a terminal that lists it.
  const cron = fields.cron!.trim().split(/\s+/).join(" ");
  if (CONTROL_CHARACTER.test(cron)) return { error: "cron must not contain control characters" };
  const problem = cronProblem(cron, tz);
  if (problem) return { error: problem };
  return { cron, tz, everyMs: null, graceMs: grace };
}

/** What is wrong with a job name, or null: the same rules as a run's name. */
export const nameProblem = jobNameProblem;

/** The fields back from a schedule, with durations in their canonical form. */
export function fieldsOf(spec: ScheduleSpec): {
  cron: string | null;
  tz: string | null;
  every: string | null;
  grace: string;
} {
  return {
    cron: spec.cron,
    tz: spec.tz,
    every: spec.everyMs === null ? null : formatScheduleDuration(spec.everyMs),
    grace: formatScheduleDuration(spec.graceMs),
  };
}

function durationOf(field: string, value: string): number | string {
  const ms = parseScheduleDuration(value);
  if (ms === null) return `${field} must be ${DURATION_RULE}, not '${value}'`;
  if (ms < MIN_MS) return `${field} must be at least 1s`;
  if (ms > MAX_MS) return `${field} must be at most 366d`;
  return ms;
}

function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return tz.trim() !== "";
  } catch {
    return false;
  }
}

function cronProblem(cron: string, tz: string): string | null {
  if (cron === "") return "cron must not be empty";
  const fields = cronFieldsProblem(cron);
  if (fields !== null) return `cron ${fields}`;
  let next: Date | null;
  try {
    next = new Cron(cron, { timezone: tz, paused: true, mode: "5-or-6-parts" }).nextRun();
  } catch (error) {
    const reason = (error as Error).message.replace(/^Cron\w*: /, "");
    return `cron is not a valid cron expression: ${reason}`;
  }
  return next === null ? `cron '${cron}' never matches a time` : null;
}
