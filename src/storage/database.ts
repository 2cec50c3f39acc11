import { Database } from "bun:sqlite";
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
} from "node:fs";
import { dirname, resolve } from "node:path";
import { migrate } from "./migrations.ts";
import { explainOpenError } from "./open-errors.ts";

export type Durability = "full" | "normal";

export interface OpenOptions {
  /** How long a statement waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs?: number;
  durability?: Durability;
}

/**
 * Opens (creating when missing) the database for reading and writing, with its folder,
 * mode 0600, WAL journaling, and the schema brought up to date.
 *
 * Note: SQLite creates the -wal and -shm files with the main file's permissions, so creating
 * the main file 0600 first keeps all three private.
 */
export function openDatabase(path: string, options: OpenOptions = {}): Database {
  const absolute = resolve(path);
  let db: Database;
  try {
    createPrivateFile(absolute);
    // SQLite would quietly open a file it may not write read-only, and every write would fail.
    accessSync(absolute, constants.W_OK);
    db = new Database(absolute, { create: true, readwrite: true, strict: true });
    db.run(`PRAGMA busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    // The first statement that writes: a read-only file or folder fails here, not above.
    db.run("PRAGMA journal_mode = WAL");
  } catch (error) {
    throw explainOpenError(absolute, error);
  }
  db.run(`PRAGMA synchronous = ${(options.durability ?? "full").toUpperCase()}`);
  db.run("PRAGMA foreign_keys = OFF");
  migrate(db);
  return db;
}

/** Opens an existing database without ever writing to it (the TUI, read-only tools). */
export function openDatabaseReadOnly(path: string): Database {
  const absolute = resolve(path);
  if (!existsSync(absolute)) throw new Error(`no database at ${absolute}`);
  const db = new Database(absolute, { readonly: true, strict: true });
  db.run("PRAGMA busy_timeout = 2000");
  return db;
}

function createPrivateFile(path: string): void {
  if (existsSync(path)) return;
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, "a", 0o600));
  // The umask may have cleared bits we asked for, never added any; chmod makes it exact.
  chmodSync(path, 0o600);
}
