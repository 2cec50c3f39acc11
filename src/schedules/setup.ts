import type { Database } from "bun:sqlite";
import type { Clock } from "../domain/clock.ts";
import type { RunListener, RunRepository, WriteCommitter } from "../domain/ports.ts";
import type { Logger } from "../log/logger.ts";
import type { SharedWheel } from "../scheduler/shared-wheel.ts";
import { ScheduleStore } from "../storage/schedule-store.ts";
import { ScheduleChecker } from "./schedule-checker.ts";
import { ScheduleService, type DeclaredSchedule } from "./schedule-service.ts";

export interface Schedules {
  service: ScheduleService;
  checker: ScheduleChecker;
  /** Applies the config file's schedules, then judges windows that closed while down. */
  recover(): Promise<{ missed: number }>;
}

/**
 * Wires the schedules of a daemon. `runs` must be the repository the run service uses (so a
 * missed run is counted like any other) and `listeners` the run listeners that must hear of
 * missed runs (the alerts). Start the checker after `recover`, stop it before the write
 * queue closes.
 */
export function createSchedules(options: {
  db: Database;
  runs: RunRepository;
  writes: WriteCommitter;
  listeners: readonly RunListener[];
  /** The config file's [[schedules]]; null when no config file was read (they are kept). */
  declared: readonly DeclaredSchedule[] | null;
  clock: Clock;
  logger: Logger;
  tickMs?: number;
  /** The daemon's one timer wheel, shared with the run deadlines. */
  wheel?: SharedWheel;
}): Schedules {
  const store = new ScheduleStore(options.db);
  const checker = new ScheduleChecker({ ...options, store });
  const service = new ScheduleService(
    store,
    options.writes,
    checker,
    options.clock,
    options.logger,
  );
  return {
    service,
    checker,
    recover: async () => {
      if (options.declared !== null) await service.applyConfig(options.declared);
      else service.keepConfig();
      const missed = await checker.recover();
      return { missed: missed.length };
    },
  };
}
