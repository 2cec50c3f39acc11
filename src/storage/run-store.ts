import type { Database, Statement } from "bun:sqlite";
import type { StoredBatch } from "../domain/ports.ts";
import type { EventKind, EventStream, Run, RunEvent, RunStatus } from "../domain/run.ts";

interface RunRow {
  id: number;
  name: string;
  version: string | null;
  status: RunStatus;
  timeout_seconds: number;
  created_at: number;
  deadline_at: number;
  finished_at: number | null;
  late_end_at: number | null;
  exit_code: number | null;
  end_message: string | null;
  event_count: number;
  events_dropped: number;
  /** Schema 4: set on missed runs only. */
  expected_at?: number | null;
  missed_windows?: number | null;
}

interface EventRow {
  id: number;
  run_id: number;
  at: number;
  kind: EventKind;
  message: string;
  truncated: number;
  stream: EventStream | null;
}

export interface NewEvent {
  runId: number;
  at: number;
  kind: EventKind;
  message: string;
  truncated?: boolean;
  stream?: EventStream | null;
}

export interface RunFilter {
  status?: RunStatus;
  name?: string;
  before?: number;
  limit: number;
}

const toRun = (row: RunRow): Run => ({
  id: row.id,
  name: row.name,
  version: row.version,
  status: row.status,
  timeoutSeconds: row.timeout_seconds,
  createdAt: row.created_at,
  deadlineAt: row.deadline_at,
  finishedAt: row.finished_at,
  lateEndAt: row.late_end_at,
  exitCode: row.exit_code,
  endMessage: row.end_message,
  eventCount: row.event_count,
  eventsDropped: row.events_dropped,
  expectedAt: row.expected_at ?? null,
  missedWindows: row.missed_windows ?? null,
});

const toEvent = (row: EventRow): RunEvent => ({
  id: row.id,
  runId: row.run_id,
  at: row.at,
  kind: row.kind,
  message: row.message,
  truncated: row.truncated === 1,
  stream: row.stream,
});

/**
 * The SQL behind runs and events. Every method is one or two prepared statements and no
 * decisions: what may change is decided by the domain; writes are called inside the write
 * queue's transaction.
 */
export class RunStore {
  private readonly insertRunStatement: Statement;
  private readonly getRunStatement: Statement<RunRow>;
  private readonly finishStatement: Statement;
  private readonly lateEndStatement: Statement;
  private readonly insertEventStatement: Statement;
  private readonly countEventStatement: Statement;
  private readonly eventsStatement: Statement<EventRow>;
  private readonly openDeadlinesStatement: Statement<{ id: number; deadline_at: number }>;

  constructor(private readonly db: Database) {
    this.insertRunStatement = db.query(
      // The next id above every run stored and every run ever removed (run_id_floor).
      `INSERT INTO runs (id, name, version, status, timeout_seconds, created_at, deadline_at)
       VALUES (
         max(coalesce((SELECT max(id) FROM runs), 0), (SELECT id FROM run_id_floor)) + 1,
         $name, $version, 'running', $timeout, $createdAt, $deadlineAt)`,
    );
    this.getRunStatement = db.query("SELECT * FROM runs WHERE id = ?");
    this.finishStatement = db.query(
      `UPDATE runs SET status = $status, finished_at = $finishedAt,
         exit_code = coalesce($exitCode, exit_code), end_message = coalesce($message, end_message)
       WHERE id = $id AND status = 'running'`,
    );
    this.lateEndStatement = db.query(
      "UPDATE runs SET late_end_at = $at WHERE id = $id AND late_end_at IS NULL",
    );
    this.insertEventStatement = db.query(
      `INSERT INTO events (run_id, at, kind, message, truncated, stream)
       VALUES (?, ?, ?, ?, ?, ?)`,
    );
    this.countEventStatement = db.query(
      "UPDATE runs SET event_count = event_count + ? WHERE id = ?",
    );
    this.eventsStatement = db.query(
      "SELECT * FROM events WHERE run_id = ? AND id > ? ORDER BY id LIMIT ?",
    );
    this.openDeadlinesStatement = db.query(
      // The partial index holds exactly the open runs in deadline order; without the hint the
      // planner prefers runs_status and sorts a million rows at start-up.
      `SELECT id, deadline_at FROM runs INDEXED BY runs_open_deadline
       WHERE status = 'running' ORDER BY deadline_at`,
    );
  }

  insertRun(run: {
    name: string;
    version: string | null;
    timeoutSeconds: number;
    createdAt: number;
    deadlineAt: number;
  }): number {
    const result = this.insertRunStatement.run({
      name: run.name,
      version: run.version,
      timeout: run.timeoutSeconds,
      createdAt: run.createdAt,
      deadlineAt: run.deadlineAt,
    });
    return Number(result.lastInsertRowid);
  }

  getRun(id: number): Run | null {
    const row = this.getRunStatement.get(id);
    return row ? toRun(row) : null;
  }

  /** Ends a running run; answers false when it was no longer running. */
  finishRun(
    id: number,
    status: RunStatus,
    finishedAt: number,
    exitCode: number | null = null,
    message: string | null = null,
  ): boolean {
    const result = this.finishStatement.run({ id, status, finishedAt, exitCode, message });
    return result.changes === 1;
  }

  recordLateEnd(id: number, at: number): void {
    this.lateEndStatement.run({ id, at });
  }

  insertEvents(events: NewEvent[]): void {
    const perRun = new Map<number, number>();
    for (const event of events) {
      this.insertEvent(event);
      perRun.set(event.runId, (perRun.get(event.runId) ?? 0) + 1);
    }
    for (const [id, count] of perRun) this.countEventStatement.run(count, id);
  }

  /**
   * Adds events to one run; answers false, storing nothing, when the run does not exist.
   * This is the hot path of logging, so the run's existence is learnt from the counter's
   * update instead of a separate read.
   */
  appendEvents(runId: number, events: NewEvent[]): boolean {
    if (this.countEventStatement.run(events.length, runId).changes === 0) return false;
    for (const event of events) this.insertEvent(event);
    return true;
  }

  private insertEvent(event: NewEvent): void {
    this.insertEventStatement.run(
      event.runId,
      event.at,
      event.kind,
      event.message,
      event.truncated ? 1 : 0,
      event.stream ?? null,
    );
  }

  /** The batch stored under this idempotency key on the run, if one was. */
  findBatch(runId: number, key: string): StoredBatch | null {
    const row = this.db
      .query<{ stored: number; messages_sha256: Uint8Array | null }, [number, string]>(
        "SELECT stored, messages_sha256 FROM batch_keys WHERE run_id = ? AND key = ?",
      )
      .get(runId, key);
    return row ? { stored: row.stored, digest: row.messages_sha256 } : null;
  }

  recordBatch(runId: number, key: string, stored: number, at: number, digest: Uint8Array): void {
    this.db
      .query(
        `INSERT INTO batch_keys (run_id, key, stored, created_at, messages_sha256)
         VALUES (?, ?, ?, ?, ?)`,
      )
      .run(runId, key, stored, at, digest);
  }

  listRuns(filter: RunFilter): Run[] {
    const where: string[] = [];
    const params: Record<string, string | number> = { limit: filter.limit };
    if (filter.status !== undefined) {
      where.push("status = $status");
      params.status = filter.status;
    }
    if (filter.name !== undefined) {
      where.push("name = $name");
      params.name = filter.name;
    }
    if (filter.before !== undefined) {
      where.push("id < $before");
      params.before = filter.before;
    }
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    const sql = `SELECT * FROM runs ${clause} ORDER BY id DESC LIMIT $limit`;
    return this.db.query<RunRow, Record<string, string | number>>(sql).all(params).map(toRun);
  }

  listEvents(runId: number, afterId: number, limit: number): RunEvent[] {
    return this.eventsStatement.all(runId, afterId, limit).map(toEvent);
  }

  /** Every open run's deadline, earliest first: what start-up schedules or expires. */
  openDeadlines(): Iterable<{ id: number; deadline_at: number }> {
    // Streamed row by row: a million open runs never exist as one array.
    return this.openDeadlinesStatement.iterate();
  }
}
