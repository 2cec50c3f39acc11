import { Database } from "bun:sqlite";
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  fchmodSync,
  mkdirSync,
  openSync,
} from "node:fs";
import { dirname } from "node:path";
import { canonicalDbPath, refuseHardLinks, refuseNonFile } from "./db-path.ts";
import { migrate } from "./migrations.ts";
import { DatabaseOpenError, explainOpenError } from "./open-errors.ts";

export { DatabaseOpenError } from "./open-errors.ts";

export type Durability = "full" | "normal";

export interface OpenOptions {
  /** How long a statement waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  durability?: Durability;
  /** Told the absolute path when the file was missing and has just been created. */
  onCreate?: (path: string) => void;
}

/**
 * Opens (creating when missing) the database for reading and writing, with its folder,
 * mode 0600, WAL journaling, and the schema brought up to date. Throws DatabaseOpenError,
 * with a sentence saying why, for anything it cannot use; a SQLite file of another
 * application is refused before anything is written to it.
 *
 * Note: SQLite creates the -wal and -shm files with the main file's permissions, so creating
 * the main file 0600 first keeps all three private.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Database {
  const absolute = canonicalDbPath(path);
  let db: Database | undefined;
  try {
    refuseNonFile(absolute);
    const created = createPrivateFile(absolute);
    refuseHardLinks(absolute);
    // SQLite would quietly open a file it may not write read-only, and every write would fail.
    accessSync(absolute, constants.W_OK);
    db = new Database(absolute, { create: true, readwrite: true, strict: true });
    db.run(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    // Before the first write: switching to WAL already rewrites another application's file.
    checkIdentity(db, absolute);
    // The first statement that writes: a read-only file or folder fails here, not above.
    db.run("PRAGMA journal_mode = WAL");
    db.run(`PRAGMA synchronous = ${(options.durability ?? "full").toUpperCase()}`);
    db.run("PRAGMA foreign_keys = OFF");
    migrate(db);
    if (created) options.onCreate?.(absolute);
  } catch (error) {
    db?.close();
    throw explainOpenError(absolute, error);
  }
  return db;
}

/**
 * Opens an existing StatusBox database without ever writing to it (backups, read-only
 * tools). Throws DatabaseOpenError when it is missing, a folder, or not a StatusBox database.
 */
export function openDatabaseReadOnly(path: string): Database {
  const absolute = canonicalDbPath(path);
  refuseNonFile(absolute);
  if (!existsSync(absolute)) throw new DatabaseOpenError(absolute, "no such file");
  refuseHardLinks(absolute);
  let db: Database | undefined;
  try {
    db = new Database(absolute, { readonly: true, strict: true });
    db.run("PRAGMA busy_timeout = 2000");
    checkIdentity(db, absolute);
  } catch (error) {
    db?.close();
    throw explainOpenError(absolute, error);
  }
  return db;
}

/** The tables every StatusBox schema has had since its first version. */
const CORE_TABLES = ["runs", "events", "api_keys"];

/**
 * Refuses a file that is not a StatusBox database: SQLite tables with no schema version of
 * ours (another application's file), or a schema version without our tables. An empty file
 * (no tables, version 0) is a new database and passes.
 */
function checkIdentity(db: Database, path: string): void {
  const version = db.query<{ user_version: number }, []>("PRAGMA user_version").get()!;
  const tables = db
    .query<{ name: string }, []>(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
    )
    .all()
    .map((row) => row.name);
  const objects = db.query<{ n: number }, []>("SELECT count(*) AS n FROM sqlite_master").get()!;

  const isOurs =
    version.user_version === 0
      ? objects.n === 0
      : CORE_TABLES.every((table) => tables.includes(table));
  if (isOurs) return;
  const shown = tables.slice(0, 5).join(", ") + (tables.length > 5 ? ", ..." : "");
  throw new DatabaseOpenError(
    path,
    `it is not a StatusBox database (schema version ${version.user_version}, ` +
      `tables: ${shown || "none"}); it was left untouched`,
  );
}

/**
 * Creates the file and its folder when missing; answers whether it did. It never follows a
 * link: a dangling one is refused rather than creating (and chmod-ing) what it points at.
 */
function createPrivateFile(path: string): boolean {
  if (existsSync(path)) return false;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const { O_CREAT, O_EXCL, O_WRONLY, O_NOFOLLOW } = constants;
  const fd = openSync(path, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW, 0o600);
  try {
    // The umask may have cleared bits we asked for, never added any; this makes it exact.
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
  return true;
}
