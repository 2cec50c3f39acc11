import type { Database } from "bun:sqlite";
import { NameStore, type LastRunRow } from "../storage/name-store.ts";
import { ScheduleStore } from "../storage/schedule-store.ts";
import { currentWindow, type Schedule, type ScheduleWindow } from "./schedule.ts";

const DAY_MS = 86_400_000;

/** Runs of a name created in a window of time, and how many of them went wrong. */
export interface RunTally {
  runs: number;
  /** failed, timed out or missed. */
  failures: number;
}

/** One job name as the names view shows it: "is the nightly backup healthy?" */
export interface NameRow {
  name: string;
  lastRun: { id: number; status: string; createdAt: number; finishedAt: number | null } | null;
  lastSuccess: { id: number; finishedAt: number } | null;
  day: RunTally;
  week: RunTally;
  /** Over the name's last completed runs (at most 100); null when it has none. */
  durations: { medianMs: number; p95Ms: number; sample: number } | null;
  schedule: Schedule | null;
  /** The schedule's current window; null without a schedule. */
  window: ScheduleWindow | null;
}

/**
 * Builds the names view from a database connection, read-only: the daemon's API and the
 * terminal UI both use it. Names come in byte order, a page at a time after `after`.
 */
export class NameView {
  private readonly names: NameStore;
  private readonly schedules: ScheduleStore;

  constructor(db: Database) {
    this.names = new NameStore(db);
    this.schedules = new ScheduleStore(db);
  }

  page(now: number, options: { after?: string; limit: number }): NameRow[] {
    return this.list(options.after ?? "", options.limit).map((name) => this.row(name, now));
  }

  /** Up to `limit` names after `after`, without their figures: one index seek per name. */
  list(after: string, limit: number): string[] {
    return this.names.names(after, limit);
  }

  row(name: string, now: number): NameRow {
    const last = this.names.lastRunOf(name);
    const completed = this.names.lastCompleted(name);
    const counts = this.names.countsOf(name, now - DAY_MS, now - 7 * DAY_MS);
    const schedule = this.schedules.get(name);
    const since = schedule && this.schedules.lastRunIn(name, schedule.window.opensAt, now);

    return {
      name,
      lastRun: last && lastRunOf(last),
      lastSuccess: completed[0]
        ? { id: completed[0].id, finishedAt: completed[0].finished_at }
        : null,
      day: { runs: counts.runs_day, failures: counts.failures_day },
      week: { runs: counts.runs_week, failures: counts.failures_week },
      durations: durationsOf(completed.map((run) => run.finished_at - run.created_at)),
      schedule,
      window: schedule && currentWindow(schedule, since ?? null),
    };
  }
}

const lastRunOf = (row: LastRunRow) => ({
  id: row.id,
  status: row.status,
  createdAt: row.created_at,
  finishedAt: row.finished_at,
});

/** Median and 95th percentile by nearest rank: each is a duration some run really took. */
export function durationsOf(durations: number[]): NameRow["durations"] {
  if (durations.length === 0) return null;
  const sorted = [...durations].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
  return { medianMs: rank(0.5), p95Ms: rank(0.95), sample: sorted.length };
}
