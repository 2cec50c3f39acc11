import {
  listNamesQuery,
  nameListAnswer,
  putScheduleBody,
  scheduleAnswer,
  scheduleListAnswer,
} from "../schedule-schemas.ts";
import type { Operation } from "./operation.ts";
import { okJson } from "./response-schemas.ts";

const NAME_PARAM = {
  name: {
    schema: { type: "string", minLength: 1 },
    description: "A job name, 1 to 64 characters, URL-encoded.",
  },
};

const BAD_NAME = "The name in the path breaks the rules of job names; the sentence says which.";
const NO_SUCH_SCHEDULE = "No schedule for this job name.";
const FROM_CONFIG = "The schedule is declared in the config file; change it there.";

/**
 * The schedule and names routes, keyed by method and full path like APP_OPERATIONS (which
 * includes these). A route added to routes/schedules.ts or routes/names.ts needs an entry.
 */
export const SCHEDULE_OPERATIONS: Record<string, Operation> = {
  "GET /api/schedules": {
    summary: "List schedules",
    description: "Every schedule, by job name, with the next expected time of each.",
    tag: "schedules",
    access: "read",
    ok: { description: "The schedules.", json: scheduleListAnswer },
  },
  "GET /api/schedules/:name": {
    summary: "Read a schedule",
    description: "The schedule of one job name.",
    tag: "schedules",
    access: "read",
    pathParams: NAME_PARAM,
    ok: { description: "The schedule.", json: scheduleAnswer },
    errors: { 400: BAD_NAME, 404: NO_SUCH_SCHEDULE },
  },
  "PUT /api/schedules/:name": {
    summary: "Set a schedule",
    description:
      "Creates (201) or replaces (200) the schedule of a job name: `cron` with `tz`, or " +
      "`every`, and `grace`. For each expected time without a run of that name started by " +
      "then plus grace, a run with status `missed` is recorded. Setting the same schedule " +
      "again changes nothing; a schedule from the config file is refused (409).",
    tag: "schedules",
    access: "write",
    pathParams: NAME_PARAM,
    body: { schema: putScheduleBody, required: true, description: "When runs are expected." },
    ok: {
      description: "The schedule as stored.",
      json: scheduleAnswer,
      statuses: {
        200: "Replaced, or already the same: the schedule as stored.",
        201: "Created: the schedule as stored.",
      },
    },
    errors: {
      400: "Bad JSON, a bad field, or a bad name in the path; the sentence names which.",
      409: FROM_CONFIG,
    },
  },
  "DELETE /api/schedules/:name": {
    summary: "Remove a schedule",
    description:
      "Stops expecting runs of the name; its missed runs stay. 409 for one from the config file.",
    tag: "schedules",
    access: "write",
    pathParams: NAME_PARAM,
    ok: { description: "The schedule was removed.", json: okJson },
    errors: { 400: BAD_NAME, 404: NO_SUCH_SCHEDULE, 409: FROM_CONFIG },
  },
  "GET /api/names": {
    summary: "The view by job name",
    description:
      "One row per job name (from its runs or its schedule), in byte order: the last run " +
      "and last success, runs and failures over 24 h and 7 d, median and p95 duration, the " +
      "schedule and the next expected time. Pass `next` as `after` for the next page.",
    tag: "names",
    access: "read",
    query: listNamesQuery,
    queryNotes: {
      limit: "Names per page, 1 to 1000 (default 200).",
      after: "A name: only names after it.",
    },
    ok: { description: "A page of names.", json: nameListAnswer },
    errors: { 400: "A bad query parameter; the sentence names it and the rule." },
  },
};
