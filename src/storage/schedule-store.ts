import type { Database, Statement } from "bun:sqlite";
import type {
  Schedule,
  ScheduleSource,
  ScheduleSpec,
  ScheduleWindow,
} from "../schedules/schedule.ts";

interface ScheduleRow {
  id: number;
  name: string;
  cron: string | null;
  tz: string | null;
  every_ms: number | null;
  grace_ms: number;
  source: ScheduleSource;
  created_at: number;
  updated_at: number;
  window_opens_at: number;
  next_expected_at: number;
}

const toSchedule = (row: ScheduleRow): Schedule => ({
  id: row.id,
  name: row.name,
  cron: row.cron,
  tz: row.tz,
  everyMs: row.every_ms,
  graceMs: row.grace_ms,
  source: row.source,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  window: { opensAt: row.window_opens_at, expectedAt: row.next_expected_at },
});

export interface ScheduleWrite {
  name: string;
  spec: ScheduleSpec;
  source: ScheduleSource;
  window: ScheduleWindow;
  at: number;
}

/**
 * The SQL behind schedules, and the two questions the checker asks about runs. No
 * decisions: the schedule service decides, and calls the writes inside the write queue's
 * transaction.
 */
export class ScheduleStore {
  private readonly byName: Statement<ScheduleRow, [string]>;
  private readonly byId: Statement<ScheduleRow, [number]>;
  private readonly all: Statement<ScheduleRow, []>;
  private readonly upsertStatement: Statement;
  private readonly deleteStatement: Statement;
  private readonly windowStatement: Statement;
  private readonly lastRunStatement: Statement<{ created_at: number }, [string, number, number]>;
  private readonly markStatement: Statement;

  constructor(db: Database) {
    this.byName = db.query("SELECT * FROM schedules WHERE name = ?");
    this.byId = db.query("SELECT * FROM schedules WHERE id = ?");
    this.all = db.query("SELECT * FROM schedules ORDER BY name");
    this.upsertStatement = db.query(
      `INSERT INTO schedules (name, cron, tz, every_ms, grace_ms, source, created_at, updated_at,
         window_opens_at, next_expected_at)
       VALUES ($name, $cron, $tz, $every, $grace, $source, $at, $at, $opens, $expected)
       ON CONFLICT (name) DO UPDATE SET cron = $cron, tz = $tz, every_ms = $every,
         grace_ms = $grace, source = $source, updated_at = $at, window_opens_at = $opens,
         next_expected_at = $expected`,
    );
    this.deleteStatement = db.query("DELETE FROM schedules WHERE name = ?");
    this.windowStatement = db.query(
      "UPDATE schedules SET window_opens_at = ?, next_expected_at = ? WHERE id = ?",
    );
    // Walks runs_name_created backwards from the window's end; missed runs are the only
    // ones skipped, and there is at most one per window.
    this.lastRunStatement = db.query(
      `SELECT created_at FROM runs
       WHERE name = ? AND created_at > ? AND created_at <= ? AND status <> 'missed'
       ORDER BY created_at DESC LIMIT 1`,
    );
    this.markStatement = db.query(
      "UPDATE runs SET expected_at = ?, missed_windows = ? WHERE id = ?",
    );
  }

  get(name: string): Schedule | null {
    const row = this.byName.get(name);
    return row ? toSchedule(row) : null;
  }

  getById(id: number): Schedule | null {
    const row = this.byId.get(id);
    return row ? toSchedule(row) : null;
  }

  list(): Schedule[] {
    return this.all.all().map(toSchedule);
  }

  /** Creates or replaces the schedule of a name; answers it as stored. */
  upsert(write: ScheduleWrite): Schedule {
    this.upsertStatement.run({
      name: write.name,
      cron: write.spec.cron,
      tz: write.spec.tz,
      every: write.spec.everyMs,
      grace: write.spec.graceMs,
      source: write.source,
      at: write.at,
      opens: write.window.opensAt,
      expected: write.window.expectedAt,
    });
    return this.get(write.name)!;
  }

  /** Answers false when the name had no schedule. */
  delete(name: string): boolean {
    return this.deleteStatement.run(name).changes === 1;
  }

  setWindow(id: number, window: ScheduleWindow): void {
    this.windowStatement.run(window.opensAt, window.expectedAt, id);
  }

  /** The creation time of the last run of `name` (not a missed one) in (after, upTo]. */
  lastRunIn(name: string, after: number, upTo: number): number | null {
    return this.lastRunStatement.get(name, after, upTo)?.created_at ?? null;
  }

  /** Gives a missed run its expected time and the number of windows it stands for. */
  markMissed(runId: number, expectedAt: number, windows: number): void {
    this.markStatement.run(expectedAt, windows, runId);
  }
}
