import { batchDigest, sameDigest } from "./batch-digest.ts";
import type { Clock } from "./clock.ts";
import { notFound, StatusBoxError } from "./errors.ts";
import { truncateMessage } from "./message.ts";
import type {
  DeadlineTracker,
  NewRunEvent,
  RunListener,
  RunRepository,
  WriteCommitter,
} from "./ports.ts";
import {
  deadlineOf,
  newRun,
  type EndSignal,
  type EventStream,
  type Run,
  type RunStatus,
} from "./run.ts";
import { decideEndSignal } from "./state-machine.ts";

export interface NewRun {
  name: string;
  timeoutSeconds: number;
  version?: string | null | undefined;
}

export interface LogLine {
  message: string;
  stream?: EventStream | null | undefined;
}

export interface EndDetails {
  message?: string | undefined;
  exitCode?: number | undefined;
}

/** What an end signal did: ended the run, repeated its end, or was refused (and recorded). */
export type EndOutcome =
  | { kind: "finished"; status: RunStatus }
  | { kind: "repeat"; status: RunStatus }
  | { kind: "rejected"; status: RunStatus };

/**
 * The use cases of runs: create, log, end, time out, read. It decides; the repository
 * stores; the committer makes each change durable before the promise settles.
 */
export class RunService {
  private readonly listeners: RunListener[] = [];

  constructor(
    private readonly runs: RunRepository,
    private readonly writes: WriteCommitter,
    private readonly deadlines: DeadlineTracker,
    private readonly clock: Clock,
  ) {}

  addListener(listener: RunListener): void {
    this.listeners.push(listener);
  }

  async create(input: NewRun): Promise<Run> {
    const run = await this.writes.submit(() => {
      const createdAt = this.clock.now();
      const fields = {
        name: input.name,
        version: input.version ?? null,
        timeoutSeconds: input.timeoutSeconds,
        createdAt,
        deadlineAt: deadlineOf(createdAt, input.timeoutSeconds),
      };
      const id = this.runs.insertRun(fields);
      const message = `running (timeout ${input.timeoutSeconds}s)`;
      this.runs.insertEvents([{ runId: id, at: createdAt, kind: "status", message }]);
      // What the row now holds, built here: reading it back cost a query on every create.
      return newRun(id, fields);
    });
    this.deadlines.schedule(run.id, run.deadlineAt);
    return run;
  }

  /**
   * Stores log lines on a run, finished or not. With an idempotency key, the same batch
   * already stored under that key on this run is not stored again (a client retrying a batch
   * whose answer it lost); the answer is then the first one's count. A different batch under
   * a used key is refused (`idempotency_key_reused`) rather than dropped without a word.
   */
  async log(
    runId: number,
    lines: LogLine[],
    idempotencyKey?: string,
  ): Promise<{ stored: number; truncated: number; repeated: boolean }> {
    // Hashed before the write queue: it serialises every write, and a batch may be 1 MiB.
    const digest = idempotencyKey === undefined ? null : batchDigest(lines);
    return this.writes.submit(() => {
      const at = this.clock.now();
      if (idempotencyKey !== undefined) {
        const earlier = this.runs.findBatch(runId, idempotencyKey);
        if (earlier !== null) {
          if (earlier.digest !== null && !sameDigest(earlier.digest, digest!)) {
            throw keyReused(idempotencyKey, runId);
          }
          return { stored: earlier.stored, truncated: 0, repeated: true };
        }
      }

      let truncated = 0;
      const events: NewRunEvent[] = lines.map((line) => {
        const cut = truncateMessage(line.message);
        if (cut.truncated) truncated++;
        return { runId, at, kind: "log", ...cut, stream: line.stream ?? null };
      });
      if (!this.runs.appendEvents(runId, events)) throw notFound(`no job with id ${runId}`);
      if (idempotencyKey !== undefined) {
        this.runs.recordBatch(runId, idempotencyKey, events.length, at, digest!);
      }
      return { stored: events.length, truncated, repeated: false };
    });
  }

  async end(runId: number, signal: EndSignal, details: EndDetails = {}): Promise<EndOutcome> {
    const outcome = await this.writes.submit((): EndOutcome => {
      const at = this.clock.now();
      // A signal that arrives after the deadline but before the timer fired meets a run that
      // is already over: time it out first, so the answer does not depend on timer latency.
      const run = this.timeOutIfOverdue(this.requireRun(runId), at);
      const decision = decideEndSignal(run.status, signal);
      const note = describeDetails(details);

      if (decision.kind === "repeat") return { kind: "repeat", status: run.status };
      if (decision.kind === "reject") {
        if (decision.recordLateEnd) this.runs.recordLateEnd(runId, at);
        const late = decision.recordLateEnd ? `; it ran for ${formatMs(at - run.createdAt)}` : "";
        const message = `${signal} refused: the run is already ${run.status}${late}${note}`;
        this.runs.insertEvents([{ runId, at, kind: "rejected", ...truncateMessage(message) }]);
        return { kind: "rejected", status: run.status };
      }

      const endMessage = details.message === undefined ? null : truncateMessage(details.message);
      this.runs.finishRun(
        runId,
        decision.status,
        at,
        details.exitCode ?? null,
        endMessage?.message,
      );
      const message = `${decision.status}${note}`;
      this.runs.insertEvents([{ runId, at, kind: "status", ...truncateMessage(message) }]);
      this.notify(runId, run.status);
      return { kind: "finished", status: decision.status };
    });
    // Every outcome leaves the run finished; cancelling an absent deadline does nothing.
    this.deadlines.cancel(runId);
    return outcome;
  }

  /**
   * Marks runs whose deadline has passed as timed out, at their deadline: the same answer
   * whether the daemon saw the deadline pass or was down at the time. Answers the runs that
   * it timed out (a run that ended meanwhile is skipped).
   */
  async expire(runIds: number[]): Promise<Run[]> {
    return this.writes.submit(() => {
      const now = this.clock.now();
      const expired: Run[] = [];
      for (const id of runIds) {
        const run = this.runs.getRun(id);
        if (!run) continue;
        const after = this.timeOutIfOverdue(run, now);
        if (after !== run) expired.push(after);
      }
      return expired;
    });
  }

  /** At start-up: expires what passed while the daemon was down, schedules the rest. */
  async recover(): Promise<{ scheduled: number; expired: Run[] }> {
    const now = this.clock.now();
    const overdue: number[] = [];
    let scheduled = 0;
    for (const { id, deadline_at } of this.runs.openDeadlines()) {
      if (deadline_at <= now) overdue.push(id);
      else {
        this.deadlines.schedule(id, deadline_at);
        scheduled++;
      }
    }
    const expired = overdue.length > 0 ? await this.expire(overdue) : [];
    return { scheduled, expired };
  }

  get(runId: number): Run {
    return this.requireRun(runId);
  }

  list(filter: { status?: RunStatus; name?: string; before?: number; limit: number }) {
    return this.runs.listRuns(filter);
  }

  events(runId: number, afterId: number, limit: number) {
    this.requireRun(runId);
    return this.runs.listEvents(runId, afterId, limit);
  }

  /** Inside a write: marks a running run past its deadline as timed out, at the deadline. */
  private timeOutIfOverdue(run: Run, now: number): Run {
    if (run.status !== "running" || run.deadlineAt > now) return run;
    this.runs.finishRun(run.id, "timed_out", run.deadlineAt);
    const message = `timed_out: no end signal within ${run.timeoutSeconds}s`;
    this.runs.insertEvents([{ runId: run.id, at: run.deadlineAt, kind: "status", message }]);
    this.notify(run.id, "running");
    return {
      ...run,
      status: "timed_out",
      finishedAt: run.deadlineAt,
      eventCount: run.eventCount + 1,
    };
  }

  private requireRun(runId: number): Run {
    const run = this.runs.getRun(runId);
    if (!run) throw notFound(`no job with id ${runId}`);
    return run;
  }

  private notify(runId: number, previous: RunStatus): void {
    if (this.listeners.length === 0) return;
    const run = this.runs.getRun(runId)!;
    for (const listener of this.listeners) listener.onStatusChange?.(run, previous);
  }
}

const keyReused = (key: string, runId: number) =>
  new StatusBoxError(
    "idempotency_key_reused",
    `Idempotency-Key ${JSON.stringify(key)} was already used with a different batch on job ` +
      `${runId}; send new lines under a new key`,
  );

function describeDetails(details: EndDetails): string {
  const parts: string[] = [];
  if (details.exitCode !== undefined) parts.push(`exit code ${details.exitCode}`);
  if (details.message !== undefined) parts.push(details.message);
  return parts.length > 0 ? `: ${parts.join(", ")}` : "";
}

function formatMs(ms: number): string {
  return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, "")}s`;
}
