import { Database } from "bun:sqlite";
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { canonicalDbPath, refuseHardLinks } from "../../src/storage/db-path.ts";
import { isDiskNearlyFull } from "../../src/storage/open-errors.ts";

/** A database the UI cannot watch; `message` is one sentence meant for the person at the shell. */
export class WatchDbError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WatchDbError";
  }
}

/**
 * Opens the StatusBox database at `path` for watching, read-only: the UI never writes, never
 * migrates and never creates the file. Throws WatchDbError with a sentence for each way this
 * can fail (missing, a folder, unreadable, not a StatusBox database, a full disk).
 *
 * Note: SQLite still creates the empty -wal and -shm files beside a WAL database when they are
 * absent (a reader needs the shared index), and it cannot if the folder is not writable for
 * this user; that case gets its own message.
 */
export function openWatchDatabase(path: string): Database {
  const absolute = canonicalDbPath(path);
  if (!existsSync(absolute)) {
    throw new WatchDbError(
      `no database at ${absolute}; start the daemon there first ` +
        "('statusbox serve --db PATH') or pass --db",
    );
  }
  const stat = statSync(absolute);
  if (stat.isDirectory()) {
    throw new WatchDbError(`${absolute} is a folder, not a database file`);
  }
  // A FIFO or a device would block the read of SQLite's header for ever.
  if (!stat.isFile()) throw new WatchDbError(`${absolute} is not a database file`);
  try {
    refuseHardLinks(absolute);
  } catch (error) {
    throw new WatchDbError((error as Error).message);
  }
  checkReadable(absolute);

  let db: Database | undefined;
  try {
    db = new Database(absolute, { readonly: true, strict: true });
    // The daemon holds the write lock only for a group commit; a reader rarely waits.
    db.run("PRAGMA busy_timeout = 2000");
    checkSchema(db, absolute);
  } catch (error) {
    db?.close();
    throw asWatchError(error, absolute);
  }
  return db;
}

function checkReadable(path: string): void {
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new WatchDbError(`cannot read ${path}: permission denied (run as the daemon's user)`);
  }
}

function checkSchema(db: Database, path: string): void {
  const tables = db
    .query<{ name: string }, []>("SELECT name FROM sqlite_master WHERE type = 'table'")
    .all()
    .map((row) => row.name);
  if (!tables.includes("runs") || !tables.includes("events")) {
    throw new WatchDbError(`${path} is not a StatusBox database (it has no runs table)`);
  }
}

function asWatchError(error: unknown, path: string): Error {
  if (error instanceof WatchDbError) return error;
  const code = (error as { code?: unknown }).code;
  if (code === "SQLITE_READONLY_DIRECTORY" || code === "SQLITE_CANTOPEN") {
    return new WatchDbError(
      `cannot open ${path}: SQLite needs to create ${path}-shm beside it and this user ` +
        "may not write in that folder (run as the daemon's user)",
    );
  }
  if (code === "SQLITE_NOTADB") return new WatchDbError(`${path} is not a SQLite database`);
  if (isDiskNearlyFull(path)) return new WatchDbError(`cannot open ${path}: the disk is full`);
  return new WatchDbError(`cannot open ${path}: ${(error as Error).message}`);
}
