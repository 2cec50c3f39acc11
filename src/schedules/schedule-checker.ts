import type { Clock } from "../domain/clock.ts";
import type { RunListener, RunRepository, WriteCommitter } from "../domain/ports.ts";
import type { Run } from "../domain/run.ts";
import type { Logger } from "../log/logger.ts";
import { SharedWheel, type WheelTimers } from "../scheduler/shared-wheel.ts";
import type { ScheduleStore } from "../storage/schedule-store.ts";
import { Cadence } from "./cadence.ts";
import { recordMissedRun } from "./missed-run.ts";
import { closesAt, type Schedule } from "./schedule.ts";
import { closeWindows } from "./windows.ts";

export interface ScheduleCheckerOptions {
  store: ScheduleStore;
  runs: RunRepository;
  writes: WriteCommitter;
  /** Told of each missed run in its transaction, like RunService's listeners (alerts). */
  listeners: readonly RunListener[];
  clock: Clock;
  logger: Logger;
  /** The wheel's resolution: a window is judged at most this long after it closes. */
  tickMs?: number;
  /** The daemon's one timer wheel (the run deadlines' too); without it, one of its own. */
  wheel?: SharedWheel;
}

/** How long a check that could not write waits before it tries again. */
const RETRY_MS = 1000;

/**
 * Judges each schedule's window when it closes: its timer fires, the windows closed by now
 * are closed in one write (closeWindows), a `missed` run is recorded if any was empty, and
 * the timer is armed again for the next window. At start-up, `recover` does the same for
 * windows that closed while the daemon was down: at most one missed run per schedule.
 */
export class ScheduleChecker {
  private readonly wheel: SharedWheel;
  /** The end of each schedule's current window, keyed by schedule id. */
  private readonly timers: WheelTimers;
  /** The check the last tick started, for `tick` to answer. */
  private checking: Promise<Run[]> = Promise.resolve([]);

  constructor(private readonly options: ScheduleCheckerOptions) {
    this.wheel = options.wheel ?? new SharedWheel(options.clock, options.tickMs ?? 1000);
    this.timers = this.wheel.timers("schedule", (ids) => {
      this.timers.fired(ids);
      this.checking = this.check(ids);
    });
  }

  /** Waits for the end of the schedule's current window. */
  arm(schedule: Schedule): void {
    this.timers.arm(schedule.id, closesAt(schedule));
  }

  disarm(scheduleId: number): void {
    this.timers.disarm(scheduleId);
  }

  get armed(): number {
    return this.timers.size;
  }

  /** Arms every stored schedule and judges at once the windows that closed meanwhile. */
  async recover(): Promise<Run[]> {
    for (const schedule of this.options.store.list()) this.arm(schedule);
    return this.tick();
  }

  /**
   * Moves the wheel to the clock's time and judges what closed. Tests call it directly; on
   * a shared wheel it also fires the other kinds of timer that are due.
   */
  tick(): Promise<Run[]> {
    this.checking = Promise.resolve([]);
    this.wheel.tick();
    return this.checking;
  }

  start(): void {
    this.wheel.start();
  }

  stop(): void {
    this.wheel.stop();
  }

  private async check(ids: number[]): Promise<Run[]> {
    const { writes, clock, logger } = this.options;
    try {
      const { missed, next } = await writes.submit(() => this.judge(ids, clock.now()));
      for (const schedule of next) this.arm(schedule);
      for (const run of missed) {
        logger.warn("job missed its schedule", {
          name: run.name,
          run: run.id,
          expected_at: new Date(run.expectedAt!).toISOString(),
          windows: run.missedWindows,
        });
      }
      return missed;
    } catch (error) {
      // The windows are still open in the database; judging them later gives the same answer.
      logger.error("could not check schedules; retrying", {
        schedules: ids.length,
        error: String(error),
      });
      for (const id of ids) this.timers.arm(id, clock.now() + RETRY_MS);
      return [];
    }
  }

  /** Inside the write: closes the due windows of each schedule and records missed runs. */
  private judge(ids: number[], now: number): { missed: Run[]; next: Schedule[] } {
    const { store } = this.options;
    const missed: Run[] = [];
    const next: Schedule[] = [];
    for (const id of ids) {
      const schedule = store.getById(id);
      if (!schedule) continue; // deleted meanwhile
      const lookup = {
        lastRunIn: (after: number, upTo: number) => store.lastRunIn(schedule.name, after, upTo),
      };
      const check = closeWindows(
        new Cadence(schedule),
        schedule.graceMs,
        schedule.window,
        now,
        lookup,
      );
      if (check.window !== schedule.window) store.setWindow(id, check.window);
      if (check.missed > 0) missed.push(recordMissedRun(this.options, schedule, check, now));
      next.push({ ...schedule, window: check.window });
    }
    return { missed, next };
  }
}
