/**
 * A run is one execution of a job, as reported by the job itself. It starts `running` and ends
 * in exactly one final state; what may happen after that is decided by `decideEndSignal`.
 * A `missed` run is the exception: StatusBox records it, finished at creation, when a job
 * with a schedule did not start in its window (src/schedules/).
 */
export const RUN_STATUSES = [
  "running",
  "completed",
  "failed",
  "cancelled",
  "timed_out",
  "missed",
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

/** The end signals a client can send, named after their routes. */
export const END_SIGNALS = ["complete", "fail", "cancel"] as const;
export type EndSignal = (typeof END_SIGNALS)[number];

export const STATUS_OF_SIGNAL: Record<EndSignal, RunStatus> = {
  complete: "completed",
  fail: "failed",
  cancel: "cancelled",
};

export const EVENT_KINDS = ["log", "status", "rejected"] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Where a log line came from, when a wrapper captured it from a command's output. */
export type EventStream = "stdout" | "stderr";

export interface Run {
  id: number;
  name: string;
  version: string | null;
  status: RunStatus;
  timeoutSeconds: number;
  createdAt: number;
  deadlineAt: number;
  finishedAt: number | null;
  /** When a complete or fail arrived after the run had already timed out. */
  lateEndAt: number | null;
  exitCode: number | null;
  endMessage: string | null;
  eventCount: number;
  /** How many of its oldest events retention dropped to keep it under the per-run limit. */
  eventsDropped: number;
  /** A missed run: the (last) expected time that passed without a run; null otherwise. */
  expectedAt?: number | null;
  /** A missed run: how many windows passed without a run (more than 1 after a downtime). */
  missedWindows?: number | null;
}

export interface RunEvent {
  id: number;
  runId: number;
  at: number;
  kind: EventKind;
  message: string;
  truncated: boolean;
  stream: EventStream | null;
}

export function isFinished(status: RunStatus): boolean {
  return status !== "running";
}

/** The deadline of a run created at `createdAt` (ms) with a timeout in (fractional) seconds. */
export function deadlineOf(createdAt: number, timeoutSeconds: number): number {
  return createdAt + Math.max(1, Math.round(timeoutSeconds * 1000));
}

/** A run as it is created: running, with its creation event and nothing else yet. */
export function newRun(
  id: number,
  fields: Pick<Run, "name" | "version" | "timeoutSeconds" | "createdAt" | "deadlineAt">,
): Run {
  return {
    id,
    ...fields,
    status: "running",
    finishedAt: null,
    lateEndAt: null,
    exitCode: null,
    endMessage: null,
    eventCount: 1,
    eventsDropped: 0,
    expectedAt: null,
    missedWindows: null,
  };
}

/** How long a run took: to its end, or to its deadline when it timed out. */
export function durationOf(run: Pick<Run, "createdAt" | "finishedAt">): number | null {
  return run.finishedAt === null ? null : run.finishedAt - run.createdAt;
}
