import type { Database, Statement } from "bun:sqlite";

/** The statuses the names view counts as failures. */
export const FAILURE_STATUSES = ["failed", "timed_out", "missed"] as const;
const FAILED = FAILURE_STATUSES.map((s) => `'${s}'`).join(", ");

/** How many of a name's last completed runs its duration figures are taken from. */
export const DURATION_SAMPLE = 100;

export interface LastRunRow {
  id: number;
  status: string;
  created_at: number;
  finished_at: number | null;
}

export interface CompletedRow {
  id: number;
  created_at: number;
  finished_at: number;
}

export interface WindowCounts {
  runs_week: number;
  failures_week: number;
  runs_day: number;
  failures_day: number;
}

/**
 * The SQL behind the view by job name. Every query stays inside one name through an index,
 * so a page of names costs a few index seeks per name, whatever the size of the history:
 * names are listed by skipping along runs_name (one seek per distinct name, never a scan of
 * all runs), the last run and the last completed ones are read backwards along runs_name,
 * and the 24 h and 7 d counts are a range of runs_name_created. Read-only, so the terminal
 * UI runs it on its read-only connection too.
 */
export class NameStore {
  private readonly page: Statement<{ name: string }, [string, number, string, number]>;
  private readonly lastRun: Statement<LastRunRow, [string]>;
  private readonly completed: Statement<CompletedRow, [string, number]>;
  private readonly counts: Statement<WindowCounts, [{ name: string; day: number; week: number }]>;

  constructor(db: Database) {
    // The recursive part walks distinct names in index order and stops after `limit`.
    this.page = db.query(
      `WITH RECURSIVE run_names(name) AS (
         SELECT (SELECT min(name) FROM runs WHERE name > ?1)
         UNION ALL
         SELECT (SELECT min(name) FROM runs WHERE name > run_names.name) FROM run_names
         WHERE run_names.name IS NOT NULL
         LIMIT ?2
       )
       SELECT name FROM run_names WHERE name IS NOT NULL
       UNION
       SELECT name FROM schedules WHERE name > ?3
       ORDER BY name LIMIT ?4`,
    );
    this.lastRun = db.query(
      `SELECT id, status, created_at, finished_at FROM runs WHERE name = ?
       ORDER BY id DESC LIMIT 1`,
    );
    this.completed = db.query(
      `SELECT id, created_at, finished_at FROM runs WHERE name = ? AND status = 'completed'
       ORDER BY id DESC LIMIT ?`,
    );
    this.counts = db.query(
      `SELECT count(*) AS runs_week,
         coalesce(sum(status IN (${FAILED})), 0) AS failures_week,
         coalesce(sum(created_at > $day), 0) AS runs_day,
         coalesce(sum(created_at > $day AND status IN (${FAILED})), 0) AS failures_day
       FROM runs WHERE name = $name AND created_at > $week`,
    );
  }

  /** Up to `limit` names after `after` (in byte order), from runs and from schedules. */
  names(after: string, limit: number): string[] {
    return this.page.all(after, limit + 1, after, limit).map((row) => row.name);
  }

  lastRunOf(name: string): LastRunRow | null {
    return this.lastRun.get(name) ?? null;
  }

  /** The last completed runs of a name, newest first. */
  lastCompleted(name: string, limit = DURATION_SAMPLE): CompletedRow[] {
    return this.completed.all(name, limit);
  }

  /** Runs and failures of a name created after `weekStart`, and after `dayStart`. */
  countsOf(name: string, dayStart: number, weekStart: number): WindowCounts {
    return this.counts.get({ name, day: dayStart, week: weekStart })!;
  }
}
