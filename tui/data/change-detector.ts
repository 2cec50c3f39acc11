import type { Database } from "bun:sqlite";
import { DatabaseFileIdentity } from "../../src/storage/database-file-watch.ts";

/**
 * Tells whether the database changed since the last look, for the price of one pragma.
 *
 * `PRAGMA data_version` answers a number that moves whenever another connection (the daemon,
 * in any process) commits, and never for this connection's own reads. It reads the WAL index
 * in shared memory, not the tables, so polling it several times a second costs next to nothing,
 * whatever the size of the database. A stat of the path comes with it, a few microseconds.
 */
export class ChangeDetector {
  private last: number | null = null;
  private readonly file: DatabaseFileIdentity;

  constructor(private readonly db: Database) {
    this.file = new DatabaseFileIdentity(db.filename);
  }

  /**
   * True on the first call, then whenever a commit happened since the previous call. Throws
   * once the file was deleted or replaced: the connection still reads the old one, which
   * nothing writes to any more, so the screen would show stale runs as if live.
   */
  changed(): boolean {
    const fileChange = this.file.change();
    if (fileChange !== null) {
      throw new Error(`the database file was ${fileChange}: quit and start watch again`);
    }
    const row = this.db.query<{ data_version: number }, []>("PRAGMA data_version").get();
    const version = row?.data_version ?? 0;
    const changed = version !== this.last;
    this.last = version;
    return changed;
  }
}
