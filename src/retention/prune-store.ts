import type { Database, Statement } from "bun:sqlite";

/**
 * The SQL of pruning. Every write here is bounded by a LIMIT, so that one call stays short
 * enough to share the write transaction with request writes. None of them ever touches a
 * run that is still running.
 */
export class PruneStore {
  private readonly oldRuns: Statement<{ id: number }>;
  private readonly deleteEvents: Statement;
  private readonly deleteEmptyRun: Statement;
  private readonly deleteBatchKeys: Statement;
  private readonly overLimit: Statement<{ id: number }>;
  private readonly maxId: Statement<{ id: number | null }>;
  private readonly recordDropped: Statement;
  private readonly eventCount: Statement<{ event_count: number }>;
  private readonly oldAlerts: Statement<{ id: number }>;
  private readonly deleteAttempts: Statement;
  private readonly deleteSettledAlert: Statement;

  constructor(readonly db: Database) {
    // `created_at < cutoff` is implied by `finished_at < cutoff`; it is there so that the
    // created_at index bounds the scan to old runs instead of the whole table.
    this.oldRuns = db.query(
      `SELECT id FROM runs
       WHERE created_at < $cutoff AND status != 'running' AND finished_at < $cutoff
       ORDER BY created_at LIMIT $limit`,
    );
    this.deleteEvents = db.query(
      `DELETE FROM events WHERE id IN
         (SELECT id FROM events WHERE run_id = $runId ORDER BY id LIMIT $limit)`,
    );
    // A log line may still arrive for a finished run between two batches: the run goes
    // only once no event is left, in the same transaction as the check.
    this.deleteEmptyRun = db.query(
      `DELETE FROM runs WHERE id = $runId AND status != 'running'
         AND NOT EXISTS (SELECT 1 FROM events WHERE run_id = $runId)`,
    );
    this.deleteBatchKeys = db.query("DELETE FROM batch_keys WHERE run_id = $runId");
    this.overLimit = db.query(
      `SELECT id FROM runs
       WHERE id > $after AND id <= $until AND status != 'running' AND event_count > $max
       ORDER BY id`,
    );
    this.maxId = db.query("SELECT max(id) AS id FROM runs");
    this.eventCount = db.query(
      "SELECT event_count FROM runs WHERE id = $runId AND status != 'running'",
    );
    // Only settled alerts (delivered, or given up: permanently or after 24 hours); a pending
    // one is never removed, however old, since it is still to be delivered.
    // TODO: with nothing old left this scans alert_outbox to its end once a pass; an index
    // on (finished_at) would bound it, but needs a schema migration of its own.
    this.oldAlerts = db.query(
      `SELECT id FROM alert_outbox
       WHERE state != 'pending' AND finished_at < $cutoff ORDER BY id LIMIT $limit`,
    );
    this.deleteAttempts = db.query(
      `DELETE FROM alert_attempts WHERE id IN
         (SELECT id FROM alert_attempts WHERE outbox_id = $alertId LIMIT $limit)`,
    );
    this.deleteSettledAlert = db.query(
      `DELETE FROM alert_outbox WHERE id = $alertId AND state != 'pending'
         AND NOT EXISTS (SELECT 1 FROM alert_attempts WHERE outbox_id = $alertId)`,
    );
    this.recordDropped = db.query(
      `UPDATE runs SET event_count = event_count - $n, events_dropped = events_dropped + $n
       WHERE id = $runId`,
    );
  }

  /** Finished runs that ended before `cutoff` (ms), oldest first. */
  oldRunIds(cutoff: number, limit: number): number[] {
    return this.oldRuns.all({ cutoff, limit }).map((row) => row.id);
  }

  /** Deletes up to `limit` of a run's oldest events; answers how many went. */
  deleteOldestEvents(runId: number, limit: number): number {
    return this.deleteEvents.run({ runId, limit }).changes;
  }

  /** Deletes a finished run that has no event left; answers whether it did. */
  deleteRunIfEmpty(runId: number): boolean {
    const deleted = this.deleteEmptyRun.run({ runId }).changes === 1;
    // The run's batch idempotency keys go with it.
    if (deleted) this.deleteBatchKeys.run({ runId });
    return deleted;
  }

  /** Finished runs with ids in (after, until] that hold more than `max` events. */
  runsOverLimit(after: number, until: number, max: number): number[] {
    return this.overLimit.all({ after, until, max }).map((row) => row.id);
  }

  /**
   * Drops up to `limit` of a finished run's oldest events beyond `max`, and records the
   * drop on the run. The excess is read here, inside the write, so that two pruners (the
   * daemon's and `statusbox prune`) never drop more than the excess between them.
   */
  trimRun(runId: number, max: number, limit: number): number {
    const count = this.eventCount.get({ runId })?.event_count ?? 0;
    const excess = Math.min(limit, count - max);
    if (excess <= 0) return 0;
    const dropped = this.deleteOldestEvents(runId, excess);
    if (dropped > 0) this.recordDropped.run({ runId, n: dropped });
    return dropped;
  }

  /** Settled alerts (delivered or failed) that settled before `cutoff` (ms), oldest first. */
  oldAlertIds(cutoff: number, limit: number): number[] {
    return this.oldAlerts.all({ cutoff, limit }).map((row) => row.id);
  }

  /** Deletes up to `limit` of an alert's recorded attempts; answers how many went. */
  deleteAlertAttempts(alertId: number, limit: number): number {
    return this.deleteAttempts.run({ alertId, limit }).changes;
  }

  /** Deletes a settled alert that has no attempt left; answers whether it did. */
  deleteAlertIfDone(alertId: number): boolean {
    return this.deleteSettledAlert.run({ alertId }).changes === 1;
  }

  highestRunId(): number {
    return this.maxId.get()?.id ?? 0;
  }

  /**
   * Copies the WAL into the database and truncates it to zero bytes, without ever waiting
   * for another connection. Must run outside a transaction. Answers false when a reader or a
   * writer was using the log: it then stays, for later checkpoints to copy and rewind.
   *
   * A TRUNCATE checkpoint keeps writers out while its busy handler waits for readers of an
   * older snapshot: with a 5 s busy timeout, a backup's long read held every write of the
   * daemon for 5 s. So a PASSIVE checkpoint, which blocks no one, copies first, and TRUNCATE
   * runs only once that copied everything, with no busy timeout, so it gives up at once.
   */
  checkpoint(): boolean {
    const copied = this.db.query<CheckpointResult, []>("PRAGMA wal_checkpoint(PASSIVE)").get();
    if (!copied || copied.busy !== 0 || copied.checkpointed < copied.log) return false;

    const busyTimeout = this.db.query<{ timeout: number }, []>("PRAGMA busy_timeout").get();
    this.db.run("PRAGMA busy_timeout = 0");
    try {
      const row = this.db.query<CheckpointResult, []>("PRAGMA wal_checkpoint(TRUNCATE)").get();
      return row?.busy === 0;
    } finally {
      this.db.run(`PRAGMA busy_timeout = ${busyTimeout?.timeout ?? 0}`);
    }
  }
}

/** SQLite's answer to a checkpoint: pages in the log, and how many are in the database. */
interface CheckpointResult {
  busy: number;
  log: number;
  checkpointed: number;
}
