import type { Database } from "bun:sqlite";
import { join } from "node:path";
import { ManualClock } from "../../src/domain/clock.ts";
import type { RunListener } from "../../src/domain/ports.ts";
import type { Run } from "../../src/domain/run.ts";
import { RunService } from "../../src/domain/run-service.ts";
import { createLogger } from "../../src/log/logger.ts";
import type { DeclaredSchedule } from "../../src/schedules/schedule-service.ts";
import { createSchedules } from "../../src/schedules/setup.ts";
import { specOf, type ScheduleFields } from "../../src/schedules/spec.ts";
import { openDatabase } from "../../src/storage/database.ts";
import { RunStore } from "../../src/storage/run-store.ts";
import { WriteQueue } from "../../src/storage/write-queue.ts";
import { makeTempDir } from "./temp-dir.ts";

export interface ScheduleKitOptions {
  /** Reopen this database (a restart); the caller keeps the folder. */
  dbPath?: string;
  clock?: ManualClock;
  /** Run listeners on the kit's database that hear of missed runs too (alerts). */
  listeners?: (db: Database, clock: ManualClock) => RunListener[];
  /** The config file's [[schedules]], as tables. */
  declared?: (ScheduleFields & { name: string })[];
}

/** A schedule as the config file or the API would give it, checked by the real parser. */
export function specFrom(fields: ScheduleFields) {
  const spec = specOf(fields);
  if ("error" in spec) throw new Error(spec.error);
  return spec;
}

/**
 * The schedule pieces on a temporary database, wired as the daemon wires them but driven by
 * hand: a ManualClock, a RunService whose deadlines are not scheduled, and a checker whose
 * timer wheel only moves when the test calls `tick()` (its interval is never started).
 * Recovery (the config's schedules, then windows closed meanwhile) has run on return.
 */
export async function scheduleKit(options: ScheduleKitOptions = {}) {
  const temp = options.dbPath ? null : makeTempDir();
  const dbPath = options.dbPath ?? join(temp!.path, "schedules.db");
  const db: Database = openDatabase(dbPath);
  const writes = new WriteQueue(db);
  const clock = options.clock ?? new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
  const logLines: string[] = [];
  const logger = createLogger({ write: (line) => logLines.push(line), level: "debug" });
  const store = new RunStore(db);
  const runs = new RunService(store, writes, { schedule() {}, cancel() {} }, clock);
  const listeners = options.listeners?.(db, clock) ?? [];
  for (const listener of listeners) runs.addListener(listener);

  const declared: DeclaredSchedule[] = (options.declared ?? []).map(({ name, ...fields }) => ({
    name,
    spec: specFrom(fields),
  }));
  const schedules = createSchedules({
    db,
    runs: store,
    writes,
    listeners,
    declared,
    clock,
    logger,
  });
  const recovered = await schedules.recover();

  /** Creates a run of `name` now and completes it after `ms`; answers its id. */
  const run = async (name: string, ms = 1000) => {
    const created = await runs.create({ name, timeoutSeconds: 3600 });
    clock.advance(ms);
    await runs.end(created.id, "complete");
    return created.id;
  };

  /** Moves the clock to `iso` and lets the checker judge what closed. */
  const at = async (iso: string): Promise<Run[]> => {
    clock.set(Date.parse(iso));
    return schedules.checker.tick();
  };

  const missed = (name?: string): Run[] =>
    runs.list({ status: "missed", limit: 500, ...(name ? { name } : {}) }).reverse();

  return {
    db,
    dbPath,
    dir: temp?.path ?? null,
    clock,
    runs,
    writes,
    service: schedules.service,
    checker: schedules.checker,
    recovered,
    logLines,
    set: (name: string, fields: ScheduleFields) => schedules.service.put(name, specFrom(fields)),
    run,
    at,
    missed,
    /** Stops without removing the database, for a restart on the same file. */
    stop: async () => {
      schedules.checker.stop();
      await writes.close();
      db.close();
    },
    close: async () => {
      schedules.checker.stop();
      await writes.close();
      db.close();
      temp?.cleanup();
    },
  };
}

export type ScheduleKit = Awaited<ReturnType<typeof scheduleKit>>;
