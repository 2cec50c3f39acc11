import type { Database } from "bun:sqlite";
import type { Clock } from "../domain/clock.ts";
import type { WriteCommitter } from "../domain/ports.ts";
import { DAY_MS, type RetentionPolicy } from "./policy.ts";
import { PruneStore } from "./prune-store.ts";

export interface PruneReport {
  /** Runs that finished before this time (ms) were removed. */
  cutoff: number;
  runsDeleted: number;
  /** Events removed with those runs. */
  eventsDeleted: number;
  /** Delivered or failed alerts that settled before the cutoff, removed from the outbox. */
  alertsDeleted: number;
  /** Delivery attempts removed with those alerts. */
  alertAttemptsDeleted: number;
  /** Finished runs over the per-run limit that lost their oldest events. */
  runsTrimmed: number;
  eventsDropped: number;
  /**
   * What became of the WAL after the pass: `truncated` (checkpointed and cut to zero bytes),
   * `deferred` (due, but another connection was reading or writing the log, and a checkpoint
   * never waits for one), or `not-due` (the pass removed too little, or was interrupted).
   */
  checkpoint: CheckpointOutcome;
  /** Whether the pass was asked to stop before it had finished. */
  interrupted: boolean;
}

export type CheckpointOutcome = "not-due" | "truncated" | "deferred";

export interface PrunerOptions {
  db: Database;
  writes: WriteCommitter;
  clock: Clock;
  policy: RetentionPolicy;
  /** The most rows one batch (one write) deletes. */
  batchRows?: number;
  /** The most time one batch works before it commits: the bound on what a request waits. */
  batchMs?: number;
  /** How many run ids one read looks at when searching for runs over the event limit. */
  scanRows?: number;
  /** A pass that removed at least this many rows checkpoints and truncates the WAL. */
  checkpointAfterRows?: number;
  /** Told, inside each write, how many events it deletes (the stored-events gauge). */
  onEventsRemoved?: (count: number) => void;
}

/** How many old runs one batch considers; their events share the batch's budget. */
const RUNS_PER_BATCH = 100;
/** Rows one DELETE removes; the budget is checked between such steps. */
const STEP_ROWS = 50;
/** The pause after a batch, as a multiple of the time the batch took (commit included). */
const PAUSE_FACTOR = 2;
/** The longest pause between two batches. */
const MAX_PAUSE_MS = 100;

/**
 * Removes what the retention policy no longer keeps: finished runs older than `days` (with
 * their events), alerts delivered or given up more than `days` ago (with their attempts),
 * and the oldest events of finished runs holding more than `maxEventsPerRun`. A running run
 * is never touched, however old or large, nor an alert still waiting to be delivered.
 *
 * Work goes in small batches, each its own write through the write queue and bounded by
 * rows and time (`batchRows`, `batchMs`), so request writes interleave with it and wait for
 * at most one short batch; a pause follows each batch. After a large pass the WAL is
 * checkpointed and truncated, so that it does not keep the size of everything deleted;
 * never by waiting for another connection, so the daemon's writes are never held for it.
 */
export class Pruner {
  private readonly store: PruneStore;
  private readonly batchRows: number;
  private readonly batchMs: number;
  private readonly scanRows: number;
  private readonly checkpointAfterRows: number;

  constructor(private readonly options: PrunerOptions) {
    this.store = new PruneStore(options.db);
    this.batchRows = options.batchRows ?? 500;
    this.batchMs = options.batchMs ?? 3;
    this.scanRows = options.scanRows ?? 5000;
    this.checkpointAfterRows = options.checkpointAfterRows ?? 10_000;
  }

  /** One full pass. `shouldStop` is asked between batches; a stopped pass reports so. */
  async prune(shouldStop: () => boolean = () => false): Promise<PruneReport> {
    const { policy, clock } = this.options;
    const report: PruneReport = {
      // Never before 1970: an age too long for a date would otherwise make none (NaN).
      cutoff: Math.max(0, clock.now() - policy.days * DAY_MS),
      runsDeleted: 0,
      eventsDeleted: 0,
      alertsDeleted: 0,
      alertAttemptsDeleted: 0,
      runsTrimmed: 0,
      eventsDropped: 0,
      checkpoint: "not-due",
      interrupted: false,
    };

    await this.pruneOldRuns(report, shouldStop);
    await this.pruneOldAlerts(report, shouldStop);
    await this.trimLargeRuns(report, shouldStop);
    report.interrupted = shouldStop();

    const rows =
      report.runsDeleted +
      report.eventsDeleted +
      report.alertsDeleted +
      report.alertAttemptsDeleted +
      report.eventsDropped;
    if (rows >= this.checkpointAfterRows && !report.interrupted) {
      report.checkpoint = this.checkpoint() ? "truncated" : "deferred";
    }
    return report;
  }

  private async pruneOldRuns(report: PruneReport, shouldStop: () => boolean): Promise<void> {
    while (!shouldStop()) {
      const step = await this.write(() => this.oldRunsBatch(report.cutoff));
      report.runsDeleted += step.runs;
      report.eventsDeleted += step.events;
      // A batch that removed nothing means nothing old is left that can be removed.
      if (step.runs === 0 && step.events === 0) return;
    }
  }

  /** Inside a write: deletes the events of old runs, then each run once it is empty. */
  private oldRunsBatch(cutoff: number): { runs: number; events: number } {
    const batch = this.newBatch();
    let runs = 0;
    let events = 0;
    for (const id of this.store.oldRunIds(cutoff, RUNS_PER_BATCH)) {
      const drained = this.drain(batch, (limit) => this.store.deleteOldestEvents(id, limit));
      events += drained.removed;
      if (!drained.done) break;
      if (this.store.deleteRunIfEmpty(id)) {
        runs++;
        batch.rows--;
      }
      if (batch.spent()) break;
    }
    if (events > 0) this.options.onEventsRemoved?.(events);
    return { runs, events };
  }

  private async pruneOldAlerts(report: PruneReport, shouldStop: () => boolean): Promise<void> {
    while (!shouldStop()) {
      // A read outside the write queue: short, and it sees only committed rows.
      const ids = this.store.oldAlertIds(report.cutoff, RUNS_PER_BATCH);
      if (ids.length === 0) return;
      const step = await this.write(() => this.oldAlertsBatch(ids));
      report.alertsDeleted += step.alerts;
      report.alertAttemptsDeleted += step.attempts;
      if (step.alerts === 0 && step.attempts === 0) return;
    }
  }

  /** Inside a write: deletes the attempts of settled alerts, then each alert once it has none. */
  private oldAlertsBatch(ids: number[]): { alerts: number; attempts: number } {
    const batch = this.newBatch();
    let alerts = 0;
    let attempts = 0;
    for (const id of ids) {
      const drained = this.drain(batch, (limit) => this.store.deleteAlertAttempts(id, limit));
      attempts += drained.removed;
      if (!drained.done) break;
      if (this.store.deleteAlertIfDone(id)) {
        alerts++;
        batch.rows--;
      }
      if (batch.spent()) break;
    }
    return { alerts, attempts };
  }

  private async trimLargeRuns(report: PruneReport, shouldStop: () => boolean): Promise<void> {
    const max = this.options.policy.maxEventsPerRun;
    const highest = this.store.highestRunId();
    for (let after = 0; after < highest && !shouldStop(); after += this.scanRows) {
      // A read outside the write queue: short, and it sees only committed rows.
      const ids = this.store.runsOverLimit(after, after + this.scanRows, max);
      for (const id of ids) {
        const dropped = await this.trimRun(id, max, shouldStop);
        if (dropped > 0) report.runsTrimmed++;
        report.eventsDropped += dropped;
      }
      await nextTurn();
    }
  }

  private async trimRun(id: number, max: number, shouldStop: () => boolean): Promise<number> {
    let total = 0;
    while (!shouldStop()) {
      const drained = await this.write(() => {
        const result = this.drain(this.newBatch(), (limit) => this.store.trimRun(id, max, limit));
        if (result.removed > 0) this.options.onEventsRemoved?.(result.removed);
        return result;
      });
      total += drained.removed;
      if (drained.done) break;
    }
    return total;
  }

  /** A batch's budget: at most `batchRows` rows and `batchMs` of work. */
  private newBatch() {
    const deadline = performance.now() + this.batchMs;
    const batch = {
      rows: this.batchRows,
      spent: () => batch.rows <= 0 || performance.now() >= deadline,
    };
    return batch;
  }

  /**
   * Inside a write: repeats `step` (which removes up to `limit` rows and answers how many it
   * did) while the batch's budget lasts. `done` says that a step found fewer rows than asked.
   */
  private drain(
    batch: ReturnType<Pruner["newBatch"]>,
    step: (limit: number) => number,
  ): { removed: number; done: boolean } {
    let removed = 0;
    do {
      const limit = Math.min(STEP_ROWS, batch.rows);
      const n = step(limit);
      removed += n;
      batch.rows -= n;
      if (n < limit) return { removed, done: true };
    } while (!batch.spent());
    return { removed, done: false };
  }

  /**
   * One write through the queue, then a pause twice as long as it took (commit included):
   * pruning takes at most about a third of the time, and requests never queue behind two
   * batches.
   */
  private async write<T>(op: () => T): Promise<T> {
    const started = performance.now();
    const value = await this.options.writes.submit(op);
    const took = performance.now() - started;
    const pause = Math.min(took * PAUSE_FACTOR, MAX_PAUSE_MS);
    await new Promise<void>((resolve) => setTimeout(resolve, pause));
    return value;
  }

  private checkpoint(): boolean {
    // A checkpoint cannot run inside a transaction; between the write queue's batches there
    // is none, since each batch begins and commits within one turn of the event loop.
    if (this.options.db.inTransaction) return false;
    try {
      return this.store.checkpoint();
    } catch {
      return false;
    }
  }
}

/** Lets timers and incoming requests run before the next batch. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
