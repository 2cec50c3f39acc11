import type { Database } from "bun:sqlite";

/** The span the header's event rate is measured over. */
export const RATE_WINDOW_MS = 60_000;
/** Events are read in chunks of this many; the first read stops after one chunk's worth. */
const READ_CAP = 20_000;

/**
 * The rate of new events, as events per minute over the last minute.
 *
 * Event ids grow with time, so each refresh reads only the `at` of events newer than the last
 * id it saw (a primary-key range) and adds them to one counter per second; memory stays at
 * 60 counters whatever the rate. The first refresh reads back from the newest event until it
 * leaves the window, so the figure is right from the first screen.
 * Note: that first read stops after READ_CAP events, so above READ_CAP a minute the figure
 * starts low and is right a minute later.
 */
export class EventRate {
  private lastId: number | null = null;
  private readonly perSecond = new Map<number, number>();

  constructor(private readonly db: Database) {}

  /** Reads the events added since the last call. */
  refresh(now: number): void {
    if (this.lastId === null) this.readBack(now - RATE_WINDOW_MS);
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
      const rows = chunk.all(this.lastId ?? 0, READ_CAP);
      for (const row of rows) {
        this.lastId = row.id;
        if (row.at >= since) this.add(row.at);
      }
      if (rows.length < READ_CAP) return;
    }
  }

  /** Walks back from the newest event in chunks until one is older than the window. */
  private readBack(since: number): void {
    const chunk = this.db.query<{ id: number; at: number }, [number, number]>(
      "SELECT id, at FROM events WHERE id < ? ORDER BY id DESC LIMIT ?",
    );
    let before = Number.MAX_SAFE_INTEGER;
    this.lastId = 0;
    for (let read = 0; read < READ_CAP;) {
      const rows = chunk.all(before, 2000);
      for (const row of rows) {
        this.lastId = Math.max(this.lastId, row.id);
        if (row.at < since) return;
        this.add(row.at);
      }
      if (rows.length < 2000) return;
      read += rows.length;
      before = rows[rows.length - 1]!.id;
    }
  }

  private add(at: number): void {
    const second = Math.floor(at / 1000);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + 1);
  }
}
