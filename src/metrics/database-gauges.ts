import type { Database } from "bun:sqlite";

/**
 * What the metrics read from the database at each scrape: an indexed lookup, so that a
 * scrape stays cheap however much history there is.
 */

/** Runs still running: the partial index on open deadlines holds exactly those. */
export function runningRuns(db: Database): number {
  const row = db
    .query<{ n: number }, []>("SELECT count(*) AS n FROM runs WHERE status = 'running'")
    .get();
  return row?.n ?? 0;
}
