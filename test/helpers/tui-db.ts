import type { Database } from "bun:sqlite";
import { join } from "node:path";
import { deadlineOf } from "../../src/domain/run.ts";
import { openDatabase } from "../../src/storage/database.ts";
import { RunStore, type NewEvent } from "../../src/storage/run-store.ts";
import { makeTempDir } from "./temp-dir.ts";

/** The time every TUI fixture is built around; tests pass it to a ManualClock. */
export const T0 = Date.parse("2026-01-01T12:00:00.000Z");

export interface FixtureRun {
  name?: string;
  version?: string | null;
  status?: string;
  timeoutSeconds?: number;
  createdAt?: number;
  finishedAt?: number | null;
  events?: Omit<NewEvent, "runId">[];
}

/**
 * A temporary database written the way the daemon writes it (its schema, its RunStore), for
 * the UI to read. `add` writes runs directly with chosen times, so tests control every field.
 */
export interface TuiDb {
  path: string;
  db: Database;
  store: RunStore;
  add(run?: FixtureRun): number;
  addMany(count: number, make?: (i: number) => FixtureRun): number[];
  cleanup(): void;
}

export function makeTuiDb(): TuiDb {
  const temp = makeTempDir("statusbox-tui-");
  const path = join(temp.path, "statusbox.db");
  const db = openDatabase(path);
  const store = new RunStore(db);

  const add = (run: FixtureRun = {}): number => {
    const createdAt = run.createdAt ?? T0;
    const timeout = run.timeoutSeconds ?? 300;
    const id = store.insertRun({
      name: run.name ?? "backup",
      version: run.version === undefined ? "1.0.0" : run.version,
      timeoutSeconds: timeout,
      createdAt,
      deadlineAt: deadlineOf(createdAt, timeout),
    });
    const status = run.status ?? "running";
    if (status !== "running") {
      // Through SQL rather than finishRun, so that a status the domain does not know can be set.
      db.run("UPDATE runs SET status = ?, finished_at = ? WHERE id = ?", [
        status,
        run.finishedAt === undefined ? createdAt + 60_000 : run.finishedAt,
        id,
      ]);
    }
    if (run.events?.length)
      store.insertEvents(run.events.map((event) => ({ ...event, runId: id })));
    return id;
  };

  return {
    path,
    db,
    store,
    add,
    addMany: (count, make = () => ({})) => Array.from({ length: count }, (_, i) => add(make(i))),
    cleanup: () => {
      db.close();
      temp.cleanup();
    },
  };
}
