import type { Database } from "bun:sqlite";
import { join } from "node:path";
import { ManualClock } from "../../src/domain/clock.ts";
import { RunService } from "../../src/domain/run-service.ts";
import { openDatabase } from "../../src/storage/database.ts";
import { RunStore } from "../../src/storage/run-store.ts";
import { WriteQueue } from "../../src/storage/write-queue.ts";
import { makeTempDir } from "./temp-dir.ts";

export interface RunDb {
  db: Database;
  dbPath: string;
  dir: string;
  clock: ManualClock;
  writes: WriteQueue;
  runs: RunService;
  /** Closes the database and removes its folder. */
  close(): Promise<void>;
  /** Closes the database only, keeping the file for another process to open. */
  closeDb(): Promise<void>;
}

/**
 * A run service on a fresh temporary database with a manual clock and no timer: the
 * domain and storage without HTTP, for tests that move time by hand. `now` sets the clock
 * (to make history that looks old to a real clock).
 */
export function openRunDb(options: { now?: number } = {}): RunDb {
  const temp = makeTempDir();
  const dbPath = join(temp.path, "statusbox.db");
  const db = openDatabase(dbPath);
  const clock = new ManualClock(options.now);
  const writes = new WriteQueue(db);
  const noTimers = { schedule: () => {}, cancel: () => {} };
  const runs = new RunService(new RunStore(db), writes, noTimers, clock);
  return {
    db,
    dbPath,
    dir: temp.path,
    clock,
    writes,
    runs,
    close: async () => {
      await closeQuietly(writes, db);
      temp.cleanup();
    },
    closeDb: () => closeQuietly(writes, db),
  };
}

/** Counts rows of a table, optionally with a WHERE clause. */
export function countRows(db: Database, table: "runs" | "events", where = "1"): number {
  return db.query<{ n: number }, []>(`SELECT count(*) AS n FROM ${table} WHERE ${where}`).get()!.n;
}

async function closeQuietly(writes: WriteQueue, db: Database): Promise<void> {
  await writes.close();
  db.close(); // closing twice is harmless in bun:sqlite
}
