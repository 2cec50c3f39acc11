import { Database } from "bun:sqlite";

/** Ids per counting query: a few milliseconds of work (about 3 ms for 20,000 events). */
const CHUNK_IDS = 20_000;

/**
 * How many events the database holds, without a full count at each scrape (a count of five
 * million events takes about 200 ms of the event loop). A recount runs in the background in
 * short chunks, on its own read-only connection inside one read transaction, so that it sees
 * one consistent snapshot; what the daemon adds and prunes after that snapshot is added and
 * subtracted as it happens.
 *
 * Note: events removed by another process (`statusbox prune` while the daemon runs) are
 * seen only at the next recount.
 */
export class StoredEvents {
  /** Events added minus events removed by this process, since it started. */
  private net = 0;
  private base: { count: number; net: number } | null = null;
  private counting: Promise<void> | null = null;

  constructor(private readonly dbPath: string) {}

  /** Called inside the write that stores events. */
  added(count: number): void {
    this.net += count;
  }

  /** Called inside the write that deletes events. */
  removed(count: number): void {
    this.net -= count;
  }

  /** The count, or null before the first recount has finished. */
  value(): number | null {
    return this.base === null ? null : this.base.count + (this.net - this.base.net);
  }

  /** Counts again in the background; joins a recount in progress. */
  recount(): Promise<void> {
    this.counting ??= this.count().finally(() => (this.counting = null));
    return this.counting;
  }

  /** Resolves once no recount is in progress. */
  async idle(): Promise<void> {
    await this.counting?.catch(() => {});
  }

  private async count(): Promise<void> {
    const db = new Database(this.dbPath, { readonly: true });
    try {
      db.run("PRAGMA busy_timeout = 1000");
      db.run("BEGIN");
      // The first read fixes the snapshot; `net` is read in the same turn of the event loop,
      // so no write of this process can fall between the two.
      const top = db.query<{ id: number | null }, []>("SELECT max(id) AS id FROM events").get();
      const netAtSnapshot = this.net;
      const highest = top?.id ?? 0;

      const chunk = db.query<{ n: number }, [number, number]>(
        "SELECT count(*) AS n FROM events WHERE id > ? AND id <= ?",
      );
      let count = 0;
      for (let after = 0; after < highest; after += CHUNK_IDS) {
        count += chunk.get(after, after + CHUNK_IDS)?.n ?? 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      db.run("COMMIT");
      this.base = { count, net: netAtSnapshot };
    } finally {
      db.close();
    }
  }
}
