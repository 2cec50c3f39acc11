/**
 * The shapes the StatusBox API speaks, as a client sees them. They mirror the daemon's JSON
 * (src/http/serialize.ts) but are declared here, so that the client has no server code in it.
 */
export type JobStatus = "running" | "completed" | "failed" | "cancelled" | "timed_out";
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
