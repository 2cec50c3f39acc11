import type { z } from "zod";
import { ANSWERS, readAnswer, readAnswerText } from "./answers.ts";
import { prepareBatch, toLines, type PreparedBatch } from "./batches.ts";
import { apiError, connectionError, StatusBoxApiError } from "./errors.ts";
import { DEFAULT_RETRY, withRetry, type RetryOptions } from "./retry.ts";
import type {
  EndDetails,
  EndSignal,
  Job,
  JobEvent,
  JobStatus,
  LogItem,
  NewJob,
  Schedule,
  ScheduleFields,
} from "./types.ts";

export const DEFAULT_URL = "http://127.0.0.1:8080";

export interface ClientOptions {
  /** The daemon's base URL, possibly with a path prefix behind a proxy. */
  url?: string;
  /** An API key's secret; without one, the daemon answers 401. */
  key?: string;
  retry?: Partial<RetryOptions>;
  /** How long one attempt may take before it counts as a connection error. */
  timeoutMs?: number;
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  sleep?: (ms: number) => Promise<void>;
}

/** Per-call override, e.g. fewer retries where waiting would hold up a command. */
export interface CallOptions {
  retries?: number;
  /** Gives up the call (and its retries) when aborted; it then throws a connection error. */
  signal?: AbortSignal;
  /**
   * How long one attempt may take, in place of the client's `timeoutMs`; null for no limit,
   * when `signal` decides how long to wait.
   */
  timeoutMs?: number | null;
}

export interface BatchOptions extends CallOptions {
  /**
   * Names this batch for the daemon, so that sending it again (after an answer was lost)
   * stores it once. Defaults to a fresh random key per call.
   */
  idempotencyKey?: string;
}

interface RequestSpec {
  method: "GET" | "POST" | "PUT" | "DELETE";
  path: string;
  body?: unknown;
  /** The body already serialised, sent as it is instead of `body`. */
  json?: string;
  headers?: Record<string, string>;
  idempotent: boolean;
  call?: CallOptions;
}

/**
 * A typed client of the StatusBox API: create a run, log to it (one line or many), end it,
 * read it. Every method throws StatusBoxApiError when the daemon answers an error (with its
 * HTTP status and message), or when what answers is not the daemon (code `http_error`: an
 * error page, or a 2xx whose body is not StatusBox's JSON with the fields the call reads),
 * and StatusBoxConnectionError when it cannot be reached. Requests are retried with backoff
 * on connection errors and 5xx answers, as far as that is safe: see `isRetryable`.
 */
export class StatusBoxClient {
  readonly url: string;
  private readonly key: string | undefined;
  private readonly retry: RetryOptions;
  private readonly timeoutMs: number;
  private readonly fetch: NonNullable<ClientOptions["fetch"]>;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: ClientOptions = {}) {
    this.url = (options.url ?? DEFAULT_URL).replace(/\/+$/, "");
    this.key = options.key || undefined;
    this.retry = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.sleep = options.sleep ?? ((ms) => new Promise((done) => setTimeout(done, ms)));
  }

  /** Creates a run; answers its id. */
  async create(job: NewJob, call?: CallOptions): Promise<number> {
    const spec = { method: "POST", path: "/api/jobs/", body: job, idempotent: false, call };
    const answer = await this.request(spec as RequestSpec, ANSWERS.created);
    return answer.id;
  }

  /**
   * Logs one message. It goes through the batch route, so that a retry is stored once; one
   * longer than the 16 KiB limit is stored as several events, not cut.
   */
  async log(id: number, message: string, options: BatchOptions = {}): Promise<void> {
    await this.logBatch(id, [message], options);
  }

  /**
   * Logs many lines, in order, in as few requests as the daemon's limits allow (each stored
   * in one transaction). Long messages are split. Each request carries an Idempotency-Key,
   * so retries after a lost answer are safe. Answers how many events were stored.
   */
  async logBatch(id: number, items: LogItem[], options: BatchOptions = {}): Promise<number> {
    const key = options.idempotencyKey ?? crypto.randomUUID();
    const lines = toLines(items);
    let stored = 0;
    for (let n = 0; stored < lines.length; n++) {
      const batch = prepareBatch(lines, stored);
      await this.sendBatch(id, batch, { ...options, idempotencyKey: `${key}-${n}` });
      stored += batch.count;
    }
    return stored;
  }

  /**
   * Sends one batch made by `prepareBatch`, as it is, in one request under `idempotencyKey`
   * unchanged. For callers that cut their own batches (statusbox run): a retry then sends
   * the same bytes under the same key.
   */
  async sendBatch(id: number, batch: PreparedBatch, options: BatchOptions): Promise<void> {
    const path = `/api/jobs/${id}/events`;
    const headers = { "idempotency-key": options.idempotencyKey ?? crypto.randomUUID() };
    const json = batch.body;
    const spec: RequestSpec = {
      method: "POST",
      path,
      json,
      headers,
      idempotent: true,
      call: options,
    };
    await this.request(spec, ANSWERS.unread);
  }

  /**
   * Sends an end signal. The same signal again succeeds and changes nothing, so it is retried
   * freely; a different one on a finished run throws a 409 StatusBoxApiError (`jobStatus`).
   */
  async end(id: number, signal: EndSignal, details: EndDetails = {}, call?: CallOptions) {
    const path = `/api/jobs/${id}/${signal}`;
    const spec: RequestSpec = { method: "POST", path, body: details, idempotent: true, call };
    await this.request(spec, ANSWERS.unread);
  }

  complete = (id: number, details?: EndDetails) => this.end(id, "complete", details);
  fail = (id: number, details?: EndDetails) => this.end(id, "fail", details);
  cancel = (id: number, details?: EndDetails) => this.end(id, "cancel", details);

  async get(id: number): Promise<Job> {
    const answer = await this.request(this.read(`/api/jobs/${id}`), ANSWERS.job);
    return answer.job;
  }

  /** Runs, newest first; `next` is the `before` of the following page, or null. */
  async list(filter: { status?: JobStatus; name?: string; limit?: number; before?: number } = {}) {
    const answer = await this.request(this.read(`/api/jobs${toQuery(filter)}`), ANSWERS.jobs);
    return { jobs: answer.jobs, next: answer.next };
  }

  /** One page of a run's events, oldest first, with ids above `after`. */
  async events(id: number, page: { after?: number; limit?: number } = {}): Promise<JobEvent[]> {
    const path = `/api/jobs/${id}/events${toQuery(page)}`;
    const answer = await this.request(this.read(path), ANSWERS.events);
    return answer.events;
  }

  /** Every event of a run, oldest first, fetched page by page. */
  async allEvents(id: number): Promise<JobEvent[]> {
    const all: JobEvent[] = [];
    for (;;) {
      const after = all.at(-1)?.id ?? 0;
      const page = await this.events(id, { after, limit: 1000 });
      // Each page must move past the last: a server answering the same page for ever would
      // otherwise keep this loop (and its memory) growing without end.
      // TODO: one inventing new events for ever still does; `job show` could print page by
      // page instead of collecting every event first.
      if (page.some((event) => event.id <= after)) {
        throw new StatusBoxApiError(
          200,
          "http_error",
          `HTTP 200, but the events after id ${after} include older ones: not StatusBox's answer`,
          {},
        );
      }
      all.push(...page);
      if (page.length < 1000) return all;
    }
  }

  /** Every schedule, by job name. */
  async schedules(): Promise<Schedule[]> {
    const answer = await this.request(this.read("/api/schedules"), ANSWERS.schedules);
    return answer.schedules;
  }

  async schedule(name: string): Promise<Schedule> {
    const answer = await this.request(this.read(schedulePath(name)), ANSWERS.schedule);
    return answer.schedule;
  }

  /** Creates or replaces the schedule of a job name; setting the same again is harmless. */
  async setSchedule(name: string, fields: ScheduleFields): Promise<Schedule> {
    const spec = { method: "PUT", path: schedulePath(name), body: fields, idempotent: true };
    const answer = await this.request(spec as RequestSpec, ANSWERS.schedule);
    return answer.schedule;
  }

  /** Removes the schedule of a job name (a 404 StatusBoxApiError when it has none). */
  async deleteSchedule(name: string): Promise<void> {
    const spec: RequestSpec = { method: "DELETE", path: schedulePath(name), idempotent: false };
    await this.request(spec, ANSWERS.unread);
  }

  /** One page of the view by job name; `next` is the `after` of the following page. */
  async names(page: { after?: string; limit?: number } = {}) {
    const path = `/api/names${toQuery(page)}`;
    const answer = await this.request(this.read(path), ANSWERS.names);
    return { names: answer.names, next: answer.next };
  }

  private read(path: string): RequestSpec {
    return { method: "GET", path, idempotent: true };
  }

  /** Sends `spec` (with retries) and answers its 2xx body as `answer` describes it. */
  private async request<T>(spec: RequestSpec, answer: z.ZodType<T>): Promise<T> {
    const retries = spec.call?.retries ?? this.retry.retries;
    return withRetry(() => this.attempt(spec, answer), {
      ...this.retry,
      retries,
      signal: spec.call?.signal,
      idempotent: spec.idempotent,
      sleep: this.sleep,
    });
  }

  private signalFor(spec: RequestSpec): AbortSignal | undefined {
    const limit = spec.call?.timeoutMs === undefined ? this.timeoutMs : spec.call.timeoutMs;
    const timeout = limit === null ? undefined : AbortSignal.timeout(limit);
    const caller = spec.call?.signal;
    if (!caller || !timeout) return caller ?? timeout;
    return AbortSignal.any([caller, timeout]);
  }

  private async attempt<T>(spec: RequestSpec, answer: z.ZodType<T>): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json", ...spec.headers };
    if (this.key) headers.authorization = `ApiKey ${this.key}`;
    const body = spec.json ?? (spec.body === undefined ? undefined : JSON.stringify(spec.body));
    if (body !== undefined) headers["content-type"] = "application/json";

    let status: number;
    let text: string;
    let response: Response;
    try {
      response = await this.fetch(this.url + spec.path, {
        method: spec.method,
        headers,
        body,
        signal: this.signalFor(spec),
        // Followed, a redirect turns a POST into a GET and drops the key: it is an answer.
        redirect: "manual",
      });
      status = response.status;
      text = await readAnswerText(response, spec.method);
    } catch (error) {
      if (error instanceof StatusBoxApiError) throw error;
      throw connectionError(this.url, error);
    }

    if (status >= 200 && status < 300) return readAnswer(response, text, answer);
    throw apiError(response, text);
  }
}

const schedulePath = (name: string) => `/api/schedules/${encodeURIComponent(name)}`;

function toQuery(params: Record<string, string | number | undefined>): string {
  const entries = Object.entries(params).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return "";
  const pairs = entries.map(([k, v]): [string, string] => [k, String(v)]);
  return `?${new URLSearchParams(pairs).toString()}`;
}
