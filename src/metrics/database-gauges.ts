import type { Database } from "bun:sqlite";
import { statSync } from "node:fs";

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

/** Size in bytes of a file, 0 when it does not exist (no WAL after a clean close). */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
