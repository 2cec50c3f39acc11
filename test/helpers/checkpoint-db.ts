import type { Database } from "bun:sqlite";
import { afterEach } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/storage/database.ts";
import { makeTempDir } from "./temp-dir.ts";

/**
 * For the checkpointer's tests: answers a function that opens a fresh database (as the
 * daemon does, but in this process), and registers an afterEach that closes and removes it.
 */
export function checkpointDatabases(): () => { db: Database; path: string } {
  let dir: ReturnType<typeof makeTempDir> | null = null;
  let db: Database | null = null;
  afterEach(() => {
    db?.close();
    db = null;
    dir?.cleanup();
    dir = null;
  });
  return () => {
    dir = makeTempDir();
    const path = join(dir.path, "statusbox.db");
    db = openDatabase(path, { durability: "normal" });
    return { db, path };
  };
}

/** Inserts runs whose rows fill about `pages` pages of the log. */
export function writeRuns(target: Database, pages: number): void {
  const insert = target.prepare(
    `INSERT INTO runs (name, version, status, timeout_seconds, created_at, deadline_at)
     VALUES (?, NULL, 'running', 60, 0, 60000)`,
  );
  const name = "x".repeat(60);
  target.transaction(() => {
    for (let i = 0; i < pages * 40; i++) insert.run(`${name}${i}`);
  })();
  // An unfinalized statement would keep the connection open past close().
  insert.finalize();
}

/**
 * A reader in the middle of a transaction on the database at `path`: no checkpoint copies
 * what is written after its snapshot until `release`.
 */
export function holdReader(path: string): { reader: Database; release: () => void } {
  const reader = openDatabase(path, { durability: "normal" });
  reader.run("BEGIN");
  reader.query("SELECT count(*) FROM runs").get();
  return {
    reader,
    release: () => {
      reader.run("COMMIT");
      reader.close();
    },
  };
}

export const fileSize = (path: string) => statSync(path).size;

export const autocheckpoint = (target: Database) =>
  target.query<{ wal_autocheckpoint: number }, []>("PRAGMA wal_autocheckpoint").get()!
    .wal_autocheckpoint;

export const journalSizeLimit = (target: Database) =>
  target.query<{ journal_size_limit: number }, []>("PRAGMA journal_size_limit").get()!
    .journal_size_limit;
