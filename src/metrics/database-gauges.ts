import type { Database } from "bun:sqlite";
import { statSync } from "node:fs";
import type { Sample } from "./registry.ts";

/**
 * What the metrics read from the database at each scrape. Each is an indexed lookup or a
 * file size, so that a scrape stays cheap however much history there is.
 */

/** Runs still running: the partial index on open deadlines holds exactly those. */
export function runningRuns(db: Database): number {
  const row = db
    .query<{ n: number }, []>("SELECT count(*) AS n FROM runs WHERE status = 'running'")
    .get();
  return row?.n ?? 0;
}

/**
 * Alert deliveries by channel and outcome, from the attempts table the alert dispatcher
 * writes. The table comes with the alerts schema; before that there is nothing to count.
 */
export function alertDeliveries(db: Database): Sample[] {
  const table = db
    .query<{ n: number }, []>(
      "SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'alert_attempts'",
    )
    .get();
  if (!table?.n) return [];
  return db
    .query<{ channel: string; outcome: string; n: number }, []>(
      `SELECT channel, outcome, count(*) AS n FROM alert_attempts
       GROUP BY channel, outcome ORDER BY channel, outcome`,
    )
    .all()
    .map((row) => ({ labels: [row.channel, row.outcome], value: row.n }));
}

/** Size in bytes of a file, 0 when it does not exist (no WAL after a clean close). */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
