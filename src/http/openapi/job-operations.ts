import { END_SIGNALS, STATUS_OF_SIGNAL } from "../../domain/run.ts";
import {
  batchEventsSchema,
  createJobSchema,
  endSignalSchema,
  listEventsQuery,
  listJobsQuery,
  logEventSchema,
  MAX_BATCH_EVENTS,
} from "../schemas.ts";
import type { JsonSchema, Operation } from "./operation.ts";
import {
  batchAnswer,
  createdJson,
  eventListAnswer,
  jobAnswer,
  jobListAnswer,
} from "./response-schemas.ts";

const NO_SUCH_RUN = "No such run.";
const BAD_QUERY = "A bad query parameter; the sentence names it and the rule.";

/**
 * The job routes, keyed by method and path relative to where they are mounted (`/api/jobs`
 * and `/jobs`). A route added to routes/jobs.ts needs an entry here: the OpenAPI test fails
 * for any route the app serves without one.
 */
export const JOB_OPERATIONS: Record<string, Operation> = {
  "POST /": {
    summary: "Create a run",
    description: "Starts a run of a job: it is running until an end signal or its timeout.",
    tag: "jobs",
    access: "write",
    body: { schema: createJobSchema, required: true, description: "The job and its timeout." },
    ok: { description: "The run was created.", json: createdJson },
  },
  "GET /": {
    summary: "List runs",
    description: "Runs, newest first, a page at a time: pass `next` as `before` for the next.",
    tag: "jobs",
    access: "read",
    query: listJobsQuery,
    queryNotes: {
      status: "Only runs in this state.",
      name: "Only runs of this exact job name.",
      limit: "Runs per page, 1 to 500 (default 50).",
      before: "A run id: only runs with smaller ids.",
    },
    ok: { description: "A page of runs.", json: jobListAnswer },
    errors: { 400: BAD_QUERY },
  },
  "GET /:id": {
    summary: "Read a run",
    description: "One run with its state, times, end details and event counts.",
    tag: "jobs",
    access: "read",
    ok: { description: "The run.", json: jobAnswer },
    errors: { 404: NO_SUCH_RUN },
  },
  "POST /:id": {
    summary: "Log an event",
    description: "Stores one log line on the run, finished or not.",
    tag: "events",
    access: "write",
    body: { schema: logEventSchema, required: true, description: "The line to store." },
    ok: { description: "Stored; the answer has an empty body." },
    errors: { 404: NO_SUCH_RUN },
  },
  "GET /:id/events": {
    summary: "Read a run's events",
    description: "Log lines and state changes of the run, oldest first.",
    tag: "events",
    access: "read",
    query: listEventsQuery,
    queryNotes: {
      after: "An event id: only events with greater ids (default 0).",
      limit: "Events per page, 1 to 1000 (default 100).",
    },
    ok: { description: "A page of events.", json: eventListAnswer },
    errors: { 400: BAD_QUERY, 404: NO_SUCH_RUN },
  },
  "POST /:id/events": {
    summary: "Log many events",
    description: `Stores up to ${MAX_BATCH_EVENTS} lines in one write, all or none.`,
    tag: "events",
    access: "write",
    headers: [
      {
        name: "Idempotency-Key",
        description:
          "A retried batch with the same key (for the same run) is stored once; a different " +
          "batch under a key already used is refused with 422.",
      },
    ],
    body: {
      schema: batchBody,
      required: true,
      description: '`{"messages": [...]}` or a bare array; each item a string or an object.',
    },
    ok: { description: "The batch was stored.", json: batchAnswer },
    errors: {
      404: NO_SUCH_RUN,
      422: "The Idempotency-Key was already used on this run with a different batch.",
    },
  },
};

for (const signal of END_SIGNALS) {
  JOB_OPERATIONS[`POST /:id/${signal}`] = {
    summary: `End a run as ${STATUS_OF_SIGNAL[signal]}`,
    description:
      "The same signal again answers 200 and changes nothing; a different one on a finished " +
      "run answers 409 and is recorded on the run as a rejected event.",
    tag: "jobs",
    access: "write",
    body: { schema: endSignalSchema, required: false, description: "Optional end details." },
    ok: { description: "The run is ended; the answer has an empty body." },
    errors: {
      404: NO_SUCH_RUN,
      409: "A different end signal on a finished run; recorded on the run.",
    },
  };
}

/** The batch route reads a string item as `{message}`, which the item schema cannot show. */
function batchBody(convert: (schema: typeof batchEventsSchema) => JsonSchema): JsonSchema {
  const list = convert(batchEventsSchema);
  const item = list.items as JsonSchema;
  const message = (item.properties as Record<string, JsonSchema>).message;
  const items = { ...list, items: { anyOf: [message, item] } };
  return {
    oneOf: [{ type: "object", properties: { messages: items }, required: ["messages"] }, items],
  };
}
