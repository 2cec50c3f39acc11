import type { Database } from "bun:sqlite";

/**
 * Tells whether the database changed since the last look, for the price of one pragma.
 *
 * `PRAGMA data_version` answers a number that moves whenever another connection (the daemon,
 * in any process) commits, and never for this connection's own reads. It reads the WAL index
 * in shared memory, not the tables, so polling it several times a second costs next to nothing,
 * whatever the size of the database.
 */
export class ChangeDetector {
  private last: number | null = null;

  constructor(private readonly db: Database) {}

  /** True on the first call, then whenever a commit happened since the previous call. */
  changed(): boolean {
    const row = this.db.query<{ data_version: number }, []>("PRAGMA data_version").get();
    const version = row?.data_version ?? 0;
    const changed = version !== this.last;
    this.last = version;
    return changed;
  }
}
