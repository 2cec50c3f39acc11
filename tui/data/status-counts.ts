import type { Database } from "bun:sqlite";
import { RUN_STATUSES } from "../../src/domain/run.ts";
import { distinctValues } from "./distinct-values.ts";

export const COUNT_WINDOWS = ["1h", "24h", "7d", "all"] as const;
export type CountWindow = (typeof COUNT_WINDOWS)[number];

const WINDOW_MS: Record<Exclude<CountWindow, "all">, number> = {
  "1h": 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
};

/** Runs per status, in a stable order: the known statuses first, then any others found. */
export type StatusCounts = { status: string; count: number }[];

/** How long counts of old runs are trusted before they are counted again in full. */
const PREFIX_TTL_MS = 60_000;

/** Counts per status of the runs with ids below `bound`, which can no longer change. */
interface Prefix {
  minId: number;
  bound: number;
  countedAt: number;
  counts: Map<string, number>;
}

/**
 * Counts runs per status over a window of creation time, without reading the runs table.
 *
 * Ids grow with creation time, so a window is an id range: the first run created in it is
 * found through runs_created, and each status is then counted over (status, id >= first) in
 * the covering index runs_status. The cost is the number of runs in the window.
 * Note: a run whose created_at is out of id order (a clock step back) can be counted in the
 * neighbouring window; the counts are for reading at a glance, not for billing.
 *
 * For "all", runs older than the oldest running run can no longer change status (finished
 * states are final), so their counts are kept and only the newer ids are counted again. Runs
 * can still be deleted (retention): the kept counts are dropped when the oldest id changes,
 * and in any case after PREFIX_TTL_MS, so a prune in the middle shows within a minute.
 */
export class StatusCounter {
  private prefix: Prefix | null = null;

  constructor(private readonly db: Database) {}

  count(window: CountWindow, now: number): StatusCounts {
    const statuses = this.statuses();
    if (window !== "all")
      return this.countFrom(statuses, this.firstIdSince(now - WINDOW_MS[window]));

    const minId = this.scalar("SELECT coalesce(min(id), 0) AS v FROM runs");
    const bound = this.scalar(
      "SELECT coalesce(min(id), (SELECT coalesce(max(id), 0) + 1 FROM runs)) AS v " +
        "FROM runs WHERE status = 'running'",
    );
    this.advancePrefix(statuses, minId, bound, now);
    const tail = this.countFrom(statuses, bound);
    return tail.map(({ status, count }) => ({
      status,
      count: count + (this.prefix?.counts.get(status) ?? 0),
    }));
  }

  /** Every status to show: the known ones, then any unknown found in runs_status. */
  statuses(): string[] {
    const found = distinctValues(this.db, "status", 100);
    const known: string[] = [...RUN_STATUSES];
    return [...known, ...found.filter((status) => !known.includes(status))];
  }

  private advancePrefix(statuses: string[], minId: number, bound: number, now: number): void {
    const prefix = this.prefix;
    if (
      prefix &&
      (prefix.minId !== minId || prefix.bound > bound || now - prefix.countedAt > PREFIX_TTL_MS)
    ) {
      this.prefix = null;
    }
    const from = this.prefix?.bound ?? 0;
    if (from >= bound && this.prefix) return;

    const counts = this.prefix?.counts ?? new Map<string, number>();
    const sql = "SELECT count(*) AS v FROM runs WHERE status = ? AND id >= ? AND id < ?";
    for (const status of statuses) {
      const added = this.db
        .query<{ v: number }, [string, number, number]>(sql)
        .get(status, from, bound);
      counts.set(status, (counts.get(status) ?? 0) + (added?.v ?? 0));
    }
    this.prefix = { minId, bound, counts, countedAt: this.prefix?.countedAt ?? now };
  }

  private countFrom(statuses: string[], firstId: number): StatusCounts {
    const sql = "SELECT count(*) AS v FROM runs WHERE status = ? AND id >= ?";
    const statement = this.db.query<{ v: number }, [string, number]>(sql);
    return statuses.map((status) => ({ status, count: statement.get(status, firstId)?.v ?? 0 }));
  }

  private firstIdSince(since: number): number {
    const sql = "SELECT id AS v FROM runs WHERE created_at >= ? ORDER BY created_at LIMIT 1";
    const row = this.db.query<{ v: number }, [number]>(sql).get(since);
    // No run in the window: start past the newest id, so every count is 0.
    return row?.v ?? Number.MAX_SAFE_INTEGER;
  }

  private scalar(sql: string): number {
    return this.db.query<{ v: number }, []>(sql).get()?.v ?? 0;
  }
}
