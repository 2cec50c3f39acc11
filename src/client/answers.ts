import { z } from "zod";
import { RUN_STATUSES } from "../domain/run.ts";
import { readTextWithin } from "../text/bounded-read.ts";
import { statusLine, StatusBoxApiError } from "./errors.ts";
import type { Job, JobEvent, JobName, JobStatus, Schedule } from "./types.ts";

/**
 * The 2xx answers the client reads, as zod schemas that mirror types.ts. Whatever answers at
 * the daemon's URL (a proxy's maintenance page, another server, a stand-in that says 200 to
 * everything) is checked before a field is used, so that callers get a StatusBoxApiError and
 * never a TypeError from deep inside their own code. Objects are loose: a field that a newer
 * daemon adds passes through untouched (`job show --json` prints it). Note: a value outside
 * the declared unions, such as a status this client does not know, is refused, as the types
 * promise callers that switch on it.
 */

const id = z.int().min(1);
const time = z.string();
const status = z.enum(RUN_STATUSES satisfies readonly JobStatus[]);

const job: z.ZodType<Job> = z.looseObject({
  id,
  name: z.string(),
  version: z.string().nullable(),
  status,
  timeoutSeconds: z.number(),
  createdAt: time,
  deadlineAt: time,
  finishedAt: time.nullable(),
  durationMs: z.number().nullable(),
  reportedEndAt: time.nullable(),
  reportedDurationMs: z.number().nullable(),
  exitCode: z.int().nullable(),
  message: z.string().nullable(),
  eventCount: z.number(),
  expectedAt: time.nullish(),
  missedWindows: z.number().nullish(),
});

const event: z.ZodType<JobEvent> = z.looseObject({
  id,
  jobId: id,
  at: time,
  kind: z.enum(["log", "status", "rejected"]),
  message: z.string(),
  truncated: z.boolean(),
  stream: z.enum(["stdout", "stderr"]).nullable(),
});

const schedule: z.ZodType<Schedule> = z.looseObject({
  name: z.string(),
  cron: z.string().nullable(),
  tz: z.string().nullable(),
  every: z.string().nullable(),
  grace: z.string(),
  source: z.enum(["api", "config"]),
  createdAt: time,
  updatedAt: time,
  nextExpectedAt: time,
  missedAfter: time,
});

const tally = z.looseObject({ runs: z.number(), failures: z.number() });
const jobName: z.ZodType<JobName> = z.looseObject({
  name: z.string(),
  lastRun: z.looseObject({ id, status, createdAt: time, finishedAt: time.nullable() }).nullable(),
  lastSuccess: z.looseObject({ id, finishedAt: time }).nullable(),
  last24h: tally,
  last7d: tally,
  durationMs: z.looseObject({ median: z.number(), p95: z.number(), sample: z.number() }).nullable(),
  schedule: schedule.nullable(),
  nextExpectedAt: time.nullable(),
});

/** The answer of each call, by what the call reads from it. */
export const ANSWERS = {
  created: z.looseObject({ id }),
  job: z.looseObject({ job }),
  jobs: z.looseObject({ jobs: z.array(job), next: id.nullable() }),
  events: z.looseObject({ events: z.array(event) }),
  schedules: z.looseObject({ schedules: z.array(schedule) }),
  schedule: z.looseObject({ schedule }),
  names: z.looseObject({ names: z.array(jobName), next: z.string().nullable() }),
  /**
   * For calls that read nothing (a batch, an end signal, a delete): the daemon answers JSON or
   * nothing at all, so that only a body that is not JSON (a page of HTML) is refused.
   */
  unread: z.unknown(),
};

/**
 * The body of a 2xx answer as `shape` describes it. An empty body reads as undefined (what an
 * end signal gets); a body that is not JSON, or JSON without what `shape` needs, throws a
 * StatusBoxApiError with code `http_error` and the status line as its message, the code
 * callers already take to mean "this is not the daemon".
 */
export function readAnswer<T>(response: Response, text: string, shape: z.ZodType<T>): T {
  let body: unknown;
  try {
    body = text.trim() === "" ? undefined : JSON.parse(text);
  } catch {
    throw notOurs(response, "");
  }
  const result = shape.safeParse(body);
  if (result.success) return result.data;
  // The first problem is enough to tell a version mismatch from a stranger answering.
  const field = fieldName(result.error.issues[0]?.path ?? []);
  throw notOurs(response, field === "" ? "" : ` (no valid ${field})`);
}

function notOurs(response: Response, detail: string): StatusBoxApiError {
  const message = `${statusLine(response)}, but the answer is not StatusBox's JSON${detail}`;
  return new StatusBoxApiError(response.status, "http_error", message, {});
}

/** `jobs[2].status` from zod's path `["jobs", 2, "status"]`. */
function fieldName(path: readonly PropertyKey[]): string {
  const parts = path.map((key) => (typeof key === "number" ? `[${key}]` : `.${String(key)}`));
  return parts.join("").replace(/^\./, "");
}

/**
 * The most an answer may hold: an endless or huge one from something else must not grow the
 * caller until the system kills it (`statusbox run`, and the command's exit code with it),
 * and parsing JSON takes many times its size. The daemon's largest read, a page of 1,000
 * events of 16 KiB whose characters all need escaping, stays under the first; what it
 * answers to a write (an id, a count, a schedule) is a few hundred bytes.
 */
const MAX_READ_ANSWER = 128 * 1024 * 1024;
const MAX_WRITE_ANSWER = 1024 * 1024;

/** The body of an answer to `method` as text, refused past its limit as it arrives. */
export async function readAnswerText(response: Response, method: string): Promise<string> {
  const limit = method === "GET" ? MAX_READ_ANSWER : MAX_WRITE_ANSWER;
  const tooLarge = () =>
    new StatusBoxApiError(
      response.status,
      "http_error",
      `${statusLine(response)}, but the answer is over ${limit / 1024 / 1024} MiB: not StatusBox's`,
      {},
    );
  if (Number(response.headers.get("content-length")) > limit) {
    await response.body?.cancel();
    throw tooLarge();
  }
  return readTextWithin(response.body, limit, tooLarge);
}
