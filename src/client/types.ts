/**
 * The shapes the StatusBox API speaks, as a client sees them. They mirror the daemon's JSON
 * (src/http/serialize.ts) but are declared here, so that the client has no server code in it.
 */
export type JobStatus = "running" | "completed" | "failed" | "cancelled" | "timed_out" | "missed";
export type EndSignal = "complete" | "fail" | "cancel";
export type EventStream = "stdout" | "stderr";

export interface NewJob {
  name: string;
  /** Seconds from creation until the run is marked timed out; fractions allowed. */
  timeoutSeconds: number;
  version?: string;
}

export interface EndDetails {
  message?: string;
  /** 0 to 255. */
  exitCode?: number;
}

/** One line for the batch route: a bare string, or a message with the stream it came from. */
export type LogItem = string | { message: string; stream?: EventStream | null };

export interface Job {
  id: number;
  name: string;
  version: string | null;
  status: JobStatus;
  timeoutSeconds: number;
  /** ISO 8601 UTC with milliseconds, like every time below. */
  createdAt: string;
  deadlineAt: string;
  finishedAt: string | null;
  durationMs: number | null;
  reportedEndAt: string | null;
  reportedDurationMs: number | null;
  exitCode: number | null;
  /** The end signal's message. */
  message: string | null;
  eventCount: number;
  /** A missed run: the (last) expected time that passed without a run. */
  expectedAt?: string | null;
  /** A missed run: how many windows passed without a run. */
  missedWindows?: number | null;
}

export interface JobEvent {
  id: number;
  jobId: number;
  at: string;
  kind: "log" | "status" | "rejected";
  message: string;
  truncated: boolean;
  stream: EventStream | null;
}

/** A schedule: `cron` (with `tz`) or `every`, and `grace`; durations like `30s`, `1h30m`. */
export interface ScheduleFields {
  cron?: string;
  tz?: string;
  every?: string;
  grace?: string;
}

export interface Schedule {
  name: string;
  cron: string | null;
  tz: string | null;
  every: string | null;
  grace: string;
  /** `config` schedules are changed in the daemon's config file only. */
  source: "api" | "config";
  createdAt: string;
  updatedAt: string;
  nextExpectedAt: string;
  /** With no run started by then, the daemon records a `missed` run. */
  missedAfter: string;
}

/** Runs of a name over a window of time, and how many failed, timed out or were missed. */
export interface RunTally {
  runs: number;
  failures: number;
}

/** One row of the view by job name. */
export interface JobName {
  name: string;
  lastRun: { id: number; status: JobStatus; createdAt: string; finishedAt: string | null } | null;
  lastSuccess: { id: number; finishedAt: string } | null;
  last24h: RunTally;
  last7d: RunTally;
  /** Over the last completed runs (at most 100). */
  durationMs: { median: number; p95: number; sample: number } | null;
  schedule: Schedule | null;
  nextExpectedAt: string | null;
}
