import type { Database } from "bun:sqlite";

/** The indexed text columns of `runs` whose distinct values the UI lists. */
export type DistinctColumn = "name" | "status";

/**
 * The distinct values of `runs.<column>`, in index order, at most `cap` of them.
 *
 * SQLite has no loose index scan for `SELECT DISTINCT`: it would walk every entry of the
 * index, a million for a million runs. The recursive query jumps from one value to the next
 * through the index instead (runs_name, runs_status), so its cost grows with the number of
 * distinct values, not with the number of runs. The LIMIT inside the recursion stops it at
 * `cap` values rather than after it has found them all.
 */
export function distinctValues(db: Database, column: DistinctColumn, cap: number): string[] {
  const sql = `
    WITH RECURSIVE v(value) AS (
      SELECT min(${column}) FROM runs
      UNION ALL
      SELECT (SELECT min(${column}) FROM runs WHERE ${column} > v.value) FROM v
      WHERE v.value IS NOT NULL
      LIMIT $cap
    )
    SELECT value FROM v WHERE value IS NOT NULL LIMIT $cap`;
  return db
    .query<{ value: string }, { cap: number }>(sql)
    .all({ cap })
    .map((row) => row.value);
}
