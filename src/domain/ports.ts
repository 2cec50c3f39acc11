import type { EventStream, Run, RunEvent, RunStatus } from "./run.ts";

/**
 * What the domain needs from storage, so that the rules of runs read without SQL. The
 * storage layer's RunStore is the implementation.
 */
export interface RunRepository {
  insertRun(run: {
    name: string;
    version: string | null;
    timeoutSeconds: number;
    createdAt: number;
    deadlineAt: number;
  }): number;
  getRun(id: number): Run | null;
  finishRun(
    id: number,
    status: RunStatus,
    finishedAt: number,
    exitCode?: number | null,
    message?: string | null,
  ): boolean;
  recordLateEnd(id: number, at: number): void;
  insertEvents(events: NewRunEvent[]): void;
  /** The batch stored under this idempotency key on the run, if one was. */
  findBatch(runId: number, key: string): StoredBatch | null;
  recordBatch(runId: number, key: string, stored: number, at: number, digest: Uint8Array): void;
  /** Adds events to one run; false, storing nothing, when the run does not exist. */
  appendEvents(runId: number, events: NewRunEvent[]): boolean;
  listRuns(filter: { status?: RunStatus; name?: string; before?: number; limit: number }): Run[];
  listEvents(runId: number, afterId: number, limit: number): RunEvent[];
  openDeadlines(): Iterable<{ id: number; deadline_at: number }>;
}

/** What is kept of a batch sent with an idempotency key. */
export interface StoredBatch {
  stored: number;
  /** SHA-256 of the batch's lines (see batchDigest); null for keys kept before schema 6. */
  digest: Uint8Array | null;
}

export interface NewRunEvent {
  runId: number;
  at: number;
  kind: RunEvent["kind"];
  message: string;
  truncated?: boolean;
  stream?: EventStream | null;
}

/** Commits writes; each submitted operation runs inside a transaction. */
export interface WriteCommitter {
  submit<T>(op: () => T): Promise<T>;
}

/** Keeps track of open deadlines and says when they pass. */
export interface DeadlineTracker {
  schedule(runId: number, deadlineAt: number): void;
  cancel(runId: number): void;
}

/** Told after each committed state change; the alerts outbox and metrics listen here. */
export interface RunListener {
  /** Runs inside the same transaction as the change, so its own writes commit with it. */
  onStatusChange?(run: Run, previous: Run["status"]): void;
}
