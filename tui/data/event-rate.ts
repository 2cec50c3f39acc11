import type { Database } from "bun:sqlite";

/** The span the header's event rate is measured over. */
export const RATE_WINDOW_MS = 60_000;
/** New events are read in chunks of this many. */
const READ_CHUNK = 20_000;

/**
 * The rate of new events, as events per minute over the last minute.
 *
 * Event ids grow with time, so each refresh reads only the `at` of events newer than the last
 * id it saw (a primary-key range) and adds them to one counter per second; memory stays at
 * 60 counters whatever the rate. The first refresh counts the whole window in SQL, so the
 * figure is right from the first screen however many events the last minute holds.
 */
export class EventRate {
  private lastId: number | null = null;
  private readonly perSecond = new Map<number, number>();

  constructor(private readonly db: Database) {}

  /** Reads the events added since the last call. */
  refresh(now: number): void {
    if (this.lastId === null) this.countWindow(now - RATE_WINDOW_MS);
    else this.readNew(now - RATE_WINDOW_MS);
    this.prune(now);
  }

  /** Events per minute over the last minute, as of `now`. */
  perMinute(now: number): number {
    this.prune(now);
    let total = 0;
    for (const count of this.perSecond.values()) total += count;
    return total;
  }

  private prune(now: number): void {
    const oldest = Math.floor((now - RATE_WINDOW_MS) / 1000);
    for (const second of this.perSecond.keys()) {
      if (second <= oldest) this.perSecond.delete(second);
    }
  }

  private readNew(since: number): void {
    const chunk = this.db.query<{ id: number; at: number }, [number, number]>(
      "SELECT id, at FROM events WHERE id > ? ORDER BY id LIMIT ?",
    );
    for (;;) {
      const rows = chunk.all(this.lastId ?? 0, READ_CHUNK);
      for (const row of rows) {
        this.lastId = row.id;
        if (row.at >= since) this.add(row.at);
      }
      if (rows.length < READ_CHUNK) return;
    }
  }

  /**
   * Counts the events of the window per second, from the first event at or after `since`.
   * That event is found by a binary search over ids (primary-key seeks), which holds because
   * ids and times grow together; the few events stored with an earlier time (a timeout
   * recorded at its deadline) are left out by the time filter, as later reads leave them out.
   */
  private countWindow(since: number): void {
    const newest = this.db
      .query<{ id: number | null }, []>("SELECT max(id) AS id FROM events")
      .get();
    this.lastId = newest?.id ?? 0;
    if (this.lastId === 0) return;

    const firstFrom = this.db.query<{ id: number; at: number }, [number]>(
      "SELECT id, at FROM events WHERE id >= ? ORDER BY id LIMIT 1",
    );
    let low = 0;
    let high = this.lastId;
    while (low < high) {
      const middle = Math.floor((low + high) / 2);
      const row = firstFrom.get(middle);
      if (row !== null && row.at < since) low = row.id + 1;
      else high = middle;
    }

    const perSecond = this.db.query<{ second: number; count: number }, [number, number, number]>(
      `SELECT at / 1000 AS second, count(*) AS count FROM events
        WHERE id >= ? AND id <= ? AND at >= ? GROUP BY second`,
    );
    for (const { second, count } of perSecond.all(low, this.lastId, since)) {
      this.perSecond.set(Math.floor(second), count);
    }
  }

  private add(at: number): void {
    const second = Math.floor(at / 1000);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + 1);
  }
}
