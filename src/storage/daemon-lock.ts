import { Database } from "bun:sqlite";
import { closeSync, constants, fchmodSync, openSync } from "node:fs";
import { DatabaseOpenError, explainOpenError } from "./open-errors.ts";

/**
 * One daemon a database. Two daemons on the same file would both serve, but each keeps the
 * deadlines of the runs it created in its own timer wheel: a run created through one and
 * left running when that one stops would never be timed out by the other. The lock is an
 * exclusive SQLite lock on a small file beside the database (`statusbox.db.lock`), held
 * for the daemon's life; the operating system drops it when the process dies, even by
 * `kill -9`, so a crash never leaves a stale lock behind. The CLI's other commands (watch,
 * backup, prune, keys) do not take it: they are meant to run beside the daemon.
 */
export class DaemonLock {
  private constructor(private db: Database | null) {}

  /** Takes the lock of the database at `dbPath` (an absolute path), or throws why not. */
  static acquire(dbPath: string): DaemonLock {
    const path = `${dbPath}.lock`;
    let db: Database | undefined;
    try {
      // Never through a link: a lock file that is one (to /dev/null, say) must not have its
      // target's mode changed; SQLite then refuses it as not a database.
      const { O_CREAT, O_RDWR, O_NOFOLLOW } = constants;
      const fd = openSync(path, O_CREAT | O_RDWR | O_NOFOLLOW, 0o600);
      try {
        fchmodSync(fd, 0o600);
      } finally {
        closeSync(fd);
      }
      db = new Database(path, { readwrite: true, create: true });
      db.run("PRAGMA busy_timeout = 0");
      // Nothing is ever written to it: no rollback journal file beside it either.
      db.run("PRAGMA journal_mode = MEMORY");
      // In exclusive locking mode the lock that BEGIN EXCLUSIVE takes is never given back
      // until the connection closes.
      db.run("PRAGMA locking_mode = EXCLUSIVE");
      db.run("BEGIN EXCLUSIVE");
      return new DaemonLock(db);
    } catch (error) {
      db?.close();
      if (isBusy(error)) {
        throw new DatabaseOpenError(
          dbPath,
          `another statusbox daemon is serving it (it holds ${path}); ` +
            "stop that one first, or give this one another --db",
        );
      }
      throw explainOpenError(path, error);
    }
  }

  release(): void {
    this.db?.close();
    this.db = null;
  }
}

function isBusy(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_BUSY");
}
