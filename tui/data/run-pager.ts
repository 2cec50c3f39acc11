import type { Database } from "bun:sqlite";
import { distinctValues } from "./distinct-values.ts";
import { toWatchRun, type RunRow, type WatchRun } from "./rows.ts";

/** Which runs the table lists: one status or all, and names containing a text (or all). */
export interface RunFilter {
  status: string | null;
  /** Matches names that contain it, ignoring case; "" matches every name. */
  name: string;
  /** The name is one whole job name (chosen in the names view), not a part of names. */
  exact?: boolean;
}

/**
 * Where a page starts: `older` lists runs with ids below `before`, newest first; `newer` lists
 * runs with ids above `after`, oldest first. Keyset paging: no OFFSET, so the millionth run
 * costs what the first does.
 */
export type Seek = { direction: "older"; before: number } | { direction: "newer"; after: number };

export const NEWEST: Seek = { direction: "older", before: Number.MAX_SAFE_INTEGER };
export const OLDEST: Seek = { direction: "newer", after: 0 };

/** Beyond this many distinct names, or this many matching ones, the name filter scans. */
const NAME_LIST_CAP = 5000;
const MERGE_CAP = 64;

/**
 * Pages through runs for the table. Every query walks an index in id order and stops after
 * `limit` rows: the primary key when unfiltered, runs_status (status, id) for a status, and
 * runs_name (name, id) once per matching name for the name filter, merged here.
 *
 * The name filter first lists the distinct names (through the index, cheap when there are
 * few) and matches them in JS. With more than NAME_LIST_CAP names, or more than MERGE_CAP
 * matching, it falls back to a LIKE scan in id order, which is fast when matches are common
 * and reads the whole table when there are none.
 * Note: that fallback ignores case for ASCII letters only, as SQLite's LIKE does.
 */
export class RunPager {
  private names: string[] | null = null;

  constructor(private readonly db: Database) {}

  /** Forgets the cached list of names; call when the data changed. */
  invalidate(): void {
    this.names = null;
  }

  seek(filter: RunFilter, seek: Seek, limit: number): WatchRun[] {
    if (limit <= 0) return [];
    if (filter.name === "") return this.query(filter.status, null, null, seek, limit);
    if (filter.exact) return this.query(filter.status, filter.name, null, seek, limit);

    const names = this.matchingNames(filter.name);
    if (names === null)
      return this.query(filter.status, null, likePattern(filter.name), seek, limit);
    const pages = names.map((name) => this.query(filter.status, name, null, seek, limit));
    const order = seek.direction === "older" ? -1 : 1;
    return pages
      .flat()
      .sort((a, b) => order * (a.id - b.id))
      .slice(0, limit);
  }

  /** The one run with this id, whatever the filter. */
  get(id: number): WatchRun | null {
    const row = this.db.query<RunRow, [number]>("SELECT * FROM runs WHERE id = ?").get(id);
    return row ? toWatchRun(row) : null;
  }

  private matchingNames(text: string): string[] | null {
    this.names ??= distinctValues(this.db, "name", NAME_LIST_CAP + 1);
    if (this.names.length > NAME_LIST_CAP) return null;
    const needle = text.toLowerCase();
    const matches = this.names.filter((name) => name.toLowerCase().includes(needle));
    return matches.length > MERGE_CAP ? null : matches;
  }

  private query(
    status: string | null,
    name: string | null,
    like: string | null,
    seek: Seek,
    limit: number,
  ): WatchRun[] {
    const where = [seek.direction === "older" ? "id < $bound" : "id > $bound"];
    if (status !== null) where.push("status = $status");
    if (name !== null) where.push("name = $name");
    if (like !== null) where.push("name LIKE $like ESCAPE '\\'");
    const order = seek.direction === "older" ? "DESC" : "ASC";
    const sql = `SELECT * FROM runs WHERE ${where.join(" AND ")} ORDER BY id ${order} LIMIT $limit`;

    const params: Record<string, string | number> = {
      bound: seek.direction === "older" ? seek.before : seek.after,
      limit,
    };
    if (status !== null) params.status = status;
    if (name !== null) params.name = name;
    if (like !== null) params.like = like;
    return this.db.query<RunRow, Record<string, string | number>>(sql).all(params).map(toWatchRun);
  }
}

function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
