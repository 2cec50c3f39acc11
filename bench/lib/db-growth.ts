/**
 * How much the database grows per stored event: N events of 50 characters written with the
 * daemon's own RunStore, round-robin over a set of runs as concurrent jobs would, committed
 * in batches as the group commit does. The size is the logical database (page_count times
 * page_size, WAL frames included), so tables and indexes are both counted.
 */
import type { Database } from "bun:sqlite";
import { join } from "node:path";
import { openDatabase } from "../../src/storage/database.ts";
import { RunStore } from "../../src/storage/run-store.ts";

export interface DbGrowthFigures {
  events: number;
  runs: number;
  messageChars: number;
  bytesBefore: number;
  bytesAfter: number;
  bytesPerEvent: number;
}

const RUNS = 100;
const BATCH = 500;
const MESSAGE_CHARS = 50;

export function measureDbGrowth(workDir: string, events: number): DbGrowthFigures {
  const db = openDatabase(join(workDir, "growth.db"), { durability: "normal" });
  try {
    const store = new RunStore(db);
    const now = Date.now();
    const runIds = db.transaction(() =>
      Array.from({ length: RUNS }, (_, i) =>
        store.insertRun({
          name: `job-${i}`,
          version: "1.0.0",
          timeoutSeconds: 86_400,
          createdAt: now,
          deadlineAt: now + 86_400_000,
        }),
      ),
    )();

    const bytesBefore = logicalSize(db);
    const insertBatch = db.transaction((from: number, to: number) => {
      for (let i = from; i < to; i++) {
        const message = `step ${i} done: 4096 rows copied, checksum ok.`.padEnd(MESSAGE_CHARS, ".");
        store.insertEvents([{ runId: runIds[i % RUNS]!, at: now + i, kind: "log", message }]);
      }
    });
    for (let from = 0; from < events; from += BATCH)
      insertBatch(from, Math.min(events, from + BATCH));
    const bytesAfter = logicalSize(db);

    const bytesPerEvent = Math.round(((bytesAfter - bytesBefore) / events) * 10) / 10;
    return {
      events,
      runs: RUNS,
      messageChars: MESSAGE_CHARS,
      bytesBefore,
      bytesAfter,
      bytesPerEvent,
    };
  } finally {
    db.close();
  }
}

/** Pages in use (free pages left out) times the page size. */
function logicalSize(db: Database): number {
  const pragma = (name: string) =>
    Object.values(db.query(`PRAGMA ${name}`).get() as object)[0] as number;
  return (pragma("page_count") - pragma("freelist_count")) * pragma("page_size");
}
