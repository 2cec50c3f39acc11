import type { Database } from "bun:sqlite";
import { toWatchEvent, type EventRow, type WatchEvent } from "./rows.ts";

/**
 * The events of one run, read through events_run (run_id, id) so that each read costs the
 * rows it returns (plus, for a position, the entries it skips within that one run).
 */
export class EventReader {
  constructor(private readonly db: Database) {}

  /** The last `limit` events of the run, oldest first: the live tail of the event pane. */
  tail(runId: number, limit: number): WatchEvent[] {
    if (limit <= 0) return [];
    return this.db
      .query<EventRow, [number, number]>(
        "SELECT * FROM events WHERE run_id = ? ORDER BY id DESC LIMIT ?",
      )
      .all(runId, limit)
      .reverse()
      .map(toWatchEvent);
  }

  /**
   * Up to `limit` events from position `index` (0 is the oldest kept), oldest first: a window
   * of the detail view's log. A position rather than an id, so that scrolling can jump to
   * the end; OFFSET here only skips entries of this run's slice of the index.
   */
  slice(runId: number, index: number, limit: number): WatchEvent[] {
    if (limit <= 0) return [];
    return this.db
      .query<EventRow, [number, number, number]>(
        "SELECT * FROM events WHERE run_id = ? ORDER BY id LIMIT ? OFFSET ?",
      )
      .all(runId, limit, Math.max(0, index))
      .map(toWatchEvent);
  }

  /** How many events the run has kept (retention may have dropped older ones). */
  count(runId: number): number {
    const row = this.db
      .query<{ n: number }, [number]>("SELECT count(*) AS n FROM events WHERE run_id = ?")
      .get(runId);
    return row?.n ?? 0;
  }
}
