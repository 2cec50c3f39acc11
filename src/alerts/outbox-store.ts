import type { Database, Statement } from "bun:sqlite";
import type { RunEvent } from "../domain/run.ts";

export const DELIVERY_OUTCOMES = ["delivered", "failed", "permanent_failure"] as const;
export type DeliveryOutcome = (typeof DELIVERY_OUTCOMES)[number];

/** An alert waiting in the outbox, as the dispatcher reads it. */
export interface OutboxRow {
  id: number;
  channel: string;
  run_id: number | null;
  run_name: string;
  trigger: string;
  payload: string;
  created_at: number;
  attempts: number;
  idempotency_key: string;
}

export interface NewOutboxRow {
  channel: string;
  runId: number | null;
  runName: string;
  trigger: string;
  payload: string;
  createdAt: number;
  idempotencyKey: string;
}

/** Which due alerts the dispatcher can start: those of channels with a free slot. */
export interface DueQuery {
  /** The most alerts read for one channel: its limit of deliveries in flight. */
  perChannel: number;
  /** Channels with no free slot: none of their alerts is read. */
  fullChannels: readonly string[];
  /** Alerts being delivered now, passed over. */
  inFlight: readonly number[];
}

export interface AttemptRecord {
  outboxId: number;
  channel: string;
  at: number;
  outcome: DeliveryOutcome;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  /** The outbox row's next state: delivered, failed (given up), or pending until `retryAt`. */
  next: { state: "delivered" | "failed" } | { state: "pending"; retryAt: number };
}

/**
 * The SQL behind the alerts outbox, its attempts and the cooldown windows. No decisions:
 * the enqueuer and the dispatcher decide; every write here runs inside a transaction they
 * hold (the state change's, or the dispatcher's own write).
 */
export class OutboxStore {
  private readonly insertStatement: Statement;
  private readonly dueStatement: Statement<OutboxRow, [Record<string, number | string>]>;
  private readonly nextStatement: Statement<{ at: number | null }, [number]>;
  private readonly attemptStatement: Statement;
  private readonly finishStatement: Statement;
  private readonly retryStatement: Statement;
  private readonly cooldownStatement: Statement<{ last_alert_at: number; held_back: number }>;
  private readonly holdStatement: Statement;
  private readonly openWindowStatement: Statement;
  private readonly historyStatement: Statement<{ status: string }>;
  private readonly lastEventsStatement: Statement<EventRow, [number, number]>;

  constructor(db: Database) {
    this.insertStatement = db.query(
      `INSERT INTO alert_outbox (channel, run_id, run_name, trigger, payload, created_at,
         next_attempt_at, idempotency_key)
       VALUES ($channel, $runId, $runName, $trigger, $payload, $createdAt, $createdAt, $key)`,
    );
    // The channels with pending alerts are found by hopping from one to the next through
    // alert_outbox_due_by_channel, then each gives its first due alerts through the same
    // index: a seek per channel, whatever backlog a stuck channel has piled up. A channel
    // removed from the config is found too, so that its alerts can be failed.
    this.dueStatement = db.query(
      `WITH RECURSIVE pending_channels (name) AS (
         SELECT min(channel) FROM alert_outbox WHERE state = 'pending'
         UNION ALL
         SELECT (SELECT min(channel) FROM alert_outbox WHERE state = 'pending' AND channel > name)
         FROM pending_channels WHERE name IS NOT NULL
       )
       SELECT o.id, o.channel, o.run_id, o.run_name, o.trigger, o.payload, o.created_at,
         o.attempts, o.idempotency_key
       FROM pending_channels c JOIN alert_outbox o ON o.id IN (
         SELECT id FROM alert_outbox
         WHERE state = 'pending' AND channel = c.name AND next_attempt_at <= $now
           AND id NOT IN (SELECT value FROM json_each($inFlight))
         ORDER BY next_attempt_at, id LIMIT $perChannel
       )
       WHERE c.name NOT IN (SELECT value FROM json_each($fullChannels))
       ORDER BY o.next_attempt_at, o.id`,
    );
    this.nextStatement = db.query(
      `SELECT min(next_attempt_at) AS at FROM alert_outbox
       WHERE state = 'pending' AND next_attempt_at > ?`,
    );
    this.attemptStatement = db.query(
      `INSERT INTO alert_attempts (outbox_id, channel, at, outcome, status_code, error, duration_ms)
       VALUES ($outboxId, $channel, $at, $outcome, $statusCode, $error, $durationMs)`,
    );
    this.finishStatement = db.query(
      `UPDATE alert_outbox SET state = $state, attempts = attempts + 1, finished_at = $at
       WHERE id = $id AND state = 'pending'`,
    );
    this.retryStatement = db.query(
      `UPDATE alert_outbox SET attempts = attempts + 1, next_attempt_at = $retryAt
       WHERE id = $id AND state = 'pending'`,
    );
    this.cooldownStatement = db.query(
      "SELECT last_alert_at, held_back FROM alert_cooldowns WHERE channel = ? AND run_name = ?",
    );
    this.holdStatement = db.query(
      `UPDATE alert_cooldowns SET held_back = held_back + 1
       WHERE channel = $channel AND run_name = $runName`,
    );
    this.openWindowStatement = db.query(
      `INSERT INTO alert_cooldowns (channel, run_name, last_alert_at, held_back)
       VALUES ($channel, $runName, $at, 0)
       ON CONFLICT (channel, run_name) DO UPDATE SET last_alert_at = $at, held_back = 0`,
    );
    // Cancelled runs are skipped: an operator's abort says nothing about the job's health.
    this.historyStatement = db.query(
      `SELECT status FROM runs
       WHERE name = $name AND finished_at <= $finishedAt AND id != $id
         AND status NOT IN ('running', 'cancelled')
       ORDER BY finished_at DESC, id DESC`,
    );
    this.lastEventsStatement = db.query(
      "SELECT * FROM events WHERE run_id = ? ORDER BY id DESC LIMIT ?",
    );
  }

  insert(row: NewOutboxRow): number {
    const result = this.insertStatement.run({
      channel: row.channel,
      runId: row.runId,
      runName: row.runName,
      trigger: row.trigger,
      payload: row.payload,
      createdAt: row.createdAt,
      key: row.idempotencyKey,
    });
    return Number(result.lastInsertRowid);
  }

  /**
   * Pending alerts whose next attempt is due at `now`: the `perChannel` longest-waiting of
   * each channel not full, in flight ones left out, all in the order they fell due.
   */
  due(now: number, query: DueQuery): OutboxRow[] {
    return this.dueStatement.all({
      now,
      perChannel: query.perChannel,
      fullChannels: JSON.stringify(query.fullChannels),
      inFlight: JSON.stringify(query.inFlight),
    });
  }

  /** When the first pending alert not yet due at `now` is due; null when there is none. */
  nextAttemptAfter(now: number): number | null {
    return this.nextStatement.get(now)?.at ?? null;
  }

  /** Records one attempt and moves its outbox row on, in the caller's transaction. */
  recordAttempt(attempt: AttemptRecord): void {
    this.attemptStatement.run({
      outboxId: attempt.outboxId,
      channel: attempt.channel,
      at: attempt.at,
      outcome: attempt.outcome,
      statusCode: attempt.statusCode,
      error: attempt.error,
      durationMs: attempt.durationMs,
    });
    const { next } = attempt;
    if (next.state === "pending") {
      this.retryStatement.run({ id: attempt.outboxId, retryAt: next.retryAt });
    } else {
      this.finishStatement.run({ id: attempt.outboxId, state: next.state, at: attempt.at });
    }
  }

  cooldown(channel: string, runName: string): { lastAlertAt: number; heldBack: number } | null {
    const row = this.cooldownStatement.get(channel, runName);
    return row ? { lastAlertAt: row.last_alert_at, heldBack: row.held_back } : null;
  }

  holdBack(channel: string, runName: string): void {
    this.holdStatement.run({ channel, runName });
  }

  /** Starts a new cooldown window at `at` with nothing held back. */
  openWindow(channel: string, runName: string, at: number): void {
    this.openWindowStatement.run({ channel, runName, at });
  }

  /**
   * How many runs of this run's name went wrong in a row just before it, in the order they
   * finished (cancelled runs skipped), counting up to `limit`. It reads no further than the
   * first run that did not go wrong, so a healthy job costs one row.
   */
  wrongInARowBefore(
    run: { id: number; name: string; finishedAt: number },
    wentWrong: (status: string) => boolean,
    limit: number,
  ): number {
    const rows = this.historyStatement.iterate({
      name: run.name,
      finishedAt: run.finishedAt,
      id: run.id,
    });
    let count = 0;
    for (const row of rows) {
      if (count >= limit || !wentWrong(row.status)) break;
      count++;
    }
    return count;
  }

  /** The last `limit` events of a run, oldest first: what an alert shows of its log. */
  lastEvents(runId: number, limit: number): RunEvent[] {
    return this.lastEventsStatement
      .all(runId, limit)
      .reverse()
      .map((row) => ({
        id: row.id,
        runId: row.run_id,
        at: row.at,
        kind: row.kind,
        message: row.message,
        truncated: row.truncated === 1,
        stream: row.stream,
      }));
  }
}

interface EventRow {
  id: number;
  run_id: number;
  at: number;
  kind: RunEvent["kind"];
  message: string;
  truncated: number;
  stream: RunEvent["stream"];
}
