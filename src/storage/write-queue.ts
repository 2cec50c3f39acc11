import type { Database, Statement } from "bun:sqlite";
import { unavailable } from "../domain/errors.ts";
import { isBusy, storageFailure } from "./storage-errors.ts";

/** A unit of work run inside the shared write transaction; what it returns is the answer. */
export type WriteOp<T> = () => T;

/** `aborted`: SQLite rolled back the whole transaction, not just this operation. */
type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown; aborted?: true };

interface Pending {
  op: WriteOp<unknown>;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export interface WriteQueueOptions {
  /** The most operations committed together. */
  maxBatch?: number;
  /** How long a batch keeps retrying while another process holds the write lock. */
  lockWaitMs?: number;
  /**
   * Makes committed batches durable off the event loop (an fdatasync of the WAL in the
   * thread pool). When given, the database runs with synchronous=NORMAL and a batch is
   * answered only once a sync that began after its commit has finished.
   */
  sync?: () => Promise<void>;
}

/**
 * Group commit. Every write of the daemon goes through `submit`; the operations that arrive
 * while one batch is committing are committed together in the next immediate transaction,
 * and each promise settles only after its batch is durable. A lone operation is not delayed:
 * a batch starts on the next turn of the event loop whatever its size.
 *
 * Each operation runs inside its own savepoint, so one that throws rolls back only its own
 * statements and fails only its own request.
 */
export class WriteQueue {
  private queue: Pending[] = [];
  private scheduled = false;
  private closed = false;
  /** Set by `refuse`: why every write fails from now on. */
  private refusal: string | null = null;
  private busySince: number | null = null;
  private busyRetries = 0;
  /** Set by `giveUpBy`: past this time a write waiting for the lock fails at once. */
  private lockDeadline = Number.POSITIVE_INFINITY;
  private readonly maxBatch: number;
  private readonly lockWaitMs: number;
  private readonly statements: Record<"begin" | "commit" | "rollback", Statement>;
  private readonly savepoint: Record<"open" | "release" | "undo", Statement>;
  private idleWaiters: (() => void)[] = [];
  private readonly sync: (() => Promise<void>) | null;
  /** Batches committed but not yet covered by a finished sync, as functions that answer them. */
  private unsynced: ((failure: unknown) => void)[] = [];
  private syncing = false;

  constructor(
    private readonly db: Database,
    options: WriteQueueOptions = {},
  ) {
    this.maxBatch = options.maxBatch ?? 1000;
    this.lockWaitMs = options.lockWaitMs ?? 5000;
    this.sync = options.sync ?? null;
    this.statements = {
      begin: db.prepare("BEGIN IMMEDIATE"),
      commit: db.prepare("COMMIT"),
      rollback: db.prepare("ROLLBACK"),
    };
    this.savepoint = {
      open: db.prepare("SAVEPOINT op"),
      release: db.prepare("RELEASE op"),
      undo: db.prepare("ROLLBACK TO op"),
    };
  }

  submit<T>(op: WriteOp<T>): Promise<T> {
    if (this.closed) return Promise.reject(unavailable("the server is shutting down"));
    if (this.refusal !== null) return Promise.reject(unavailable(this.refusal));
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ op, resolve: resolve as (value: unknown) => void, reject });
      this.schedule(0);
    });
  }

  get pending(): number {
    return this.queue.length;
  }

  /**
   * Bounds how long writes may still wait for another process's lock (shutdown has a time
   * limit of its own): past `deadline` (epoch ms) they fail with a 503 instead of waiting
   * out the full lock wait.
   */
  giveUpBy(deadline: number): void {
    this.lockDeadline = Math.min(this.lockDeadline, deadline);
  }

  /**
   * Fails every write from now on, those already waiting too, with a 503 saying `why`: the
   * database can no longer keep them (its file was deleted under the daemon). `null` takes
   * writes again.
   */
  refuse(why: string | null): void {
    this.refusal = why;
    if (why === null) return;
    for (const item of this.queue.splice(0)) item.reject(unavailable(why));
    this.notifyIdle();
  }

  /** Refuses new work and resolves once everything already submitted has settled. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.isIdle()) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private schedule(delayMs: number): void {
    if (this.scheduled) return;
    this.scheduled = true;
    if (delayMs === 0) setImmediate(() => this.flush());
    else setTimeout(() => this.flush(), delayMs);
  }

  private flush(): void {
    this.scheduled = false;
    if (this.queue.length === 0) return this.notifyIdle();

    try {
      this.statements.begin.run();
    } catch (error) {
      return this.waitForLock(error);
    }
    this.busySince = null;
    this.busyRetries = 0;

    const batch = this.queue.splice(0, this.maxBatch);
    const results: Outcome[] = [];
    for (const item of batch) {
      const result = this.runInSavepoint(item);
      if (!result.ok && result.aborted) return this.failAborted(batch, results, result.error);
      results.push(result);
    }
    try {
      this.statements.commit.run();
    } catch (error) {
      this.rollbackQuietly();
      const failure = toStorageError(error);
      for (const item of batch) item.reject(failure);
      return this.continue();
    }

    const answer = (failure: unknown) =>
      batch.forEach((item, i) => {
        const result = results[i]!;
        if (failure !== null) item.reject(failure);
        else if (result.ok) item.resolve(result.value);
        else item.reject(result.error);
      });
    if (this.sync) {
      this.unsynced.push(answer);
      this.startSync();
    } else {
      answer(null);
    }
    this.continue();
  }

  /**
   * One sync at a time, covering every batch committed before it began. Meanwhile the event
   * loop keeps serving and the next batch commits, so the disk's latency is paid once per
   * sync rather than once per batch, and never while the loop is blocked.
   */
  private startSync(): void {
    if (this.syncing || this.unsynced.length === 0 || !this.sync) return;
    this.syncing = true;
    const covered = this.unsynced.splice(0);
    const finish = (failure: unknown) => {
      for (const answer of covered) answer(failure);
      this.syncing = false;
      this.startSync();
      this.notifyIdle();
    };
    this.sync().then(
      () => finish(null),
      (error: unknown) =>
        finish(unavailable(`the write may not be on disk (${String(error)}); try again`)),
    );
  }

  private runInSavepoint(item: Pending): Outcome {
    this.savepoint.open.run();
    try {
      const value = item.op();
      this.savepoint.release.run();
      return { ok: true, value };
    } catch (error) {
      // SQLITE_FULL or an I/O error may make SQLite roll back the whole transaction: then no
      // savepoint is left to undo, and the writes run before this one are gone as well.
      if (!this.db.inTransaction) return { ok: false, error: toStorageError(error), aborted: true };
      this.savepoint.undo.run();
      this.savepoint.release.run();
      return { ok: false, error: toStorageError(error) };
    }
  }

  /**
   * The transaction was rolled back under the batch: the operations that had succeeded were
   * undone and the rest never ran, so all of them fail with the storage error (a 503 to
   * retry); those that had failed on their own keep their own error.
   */
  private failAborted(batch: Pending[], results: Outcome[], failure: unknown): void {
    this.rollbackQuietly();
    batch.forEach((item, i) => {
      const result = results[i];
      item.reject(result && !result.ok ? result.error : failure);
    });
    this.continue();
  }

  /** Another process holds the write lock: retry shortly without blocking the event loop. */
  private waitForLock(error: unknown): void {
    const now = Date.now();
    this.busySince ??= now;
    const waitedEnough = now - this.busySince >= this.lockWaitMs || now >= this.lockDeadline;
    if (!isBusy(error) || waitedEnough) {
      const failure = isBusy(error)
        ? unavailable("the database is locked by another process; try again shortly")
        : toStorageError(error);
      for (const item of this.queue.splice(0)) item.reject(failure);
      this.busySince = null;
      this.busyRetries = 0;
      return this.notifyIdle();
    }
    // Another process's write (a prune or backup from the command line) usually holds the lock
    // for a few milliseconds: retry soon, then less often, so a short hold costs little.
    this.busyRetries++;
    this.schedule(Math.min(25, 2 ** this.busyRetries));
  }

  private continue(): void {
    if (this.queue.length > 0) this.schedule(0);
    else this.notifyIdle();
  }

  private isIdle(): boolean {
    return (
      this.queue.length === 0 && !this.scheduled && !this.syncing && this.unsynced.length === 0
    );
  }

  private notifyIdle(): void {
    if (!this.isIdle()) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private rollbackQuietly(): void {
    try {
      if (this.db.inTransaction) this.statements.rollback.run();
    } catch {
      // The transaction may already have been rolled back by SQLite itself (SQLITE_FULL).
    }
  }
}

/** Turns SQLite's storage failures into a 503 the client can retry; other errors pass. */
function toStorageError(error: unknown): unknown {
  return storageFailure(error) ?? error;
}
