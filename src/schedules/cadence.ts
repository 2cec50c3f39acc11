import { Cron } from "croner";
import type { ScheduleSpec, ScheduleWindow } from "./schedule.ts";

/** A time that never comes: the window of a cron expression that matches no more times. */
export const NEVER = 8.64e15;

/**
 * The expected times of a schedule, window after window.
 *
 * A cron schedule expects a run at each time its expression matches, in its time zone. The
 * window of an expected time T opens when the previous one's closes (its T + grace) and
 * closes at T + grace, so windows tile the time line. Daylight-saving changes are croner's:
 * a fixed time that falls in a gap runs at the first valid time after it, a fixed time that
 * occurs twice runs once; an interval expression skips the gap and runs in both passes of a
 * repeated hour.
 *
 * A period (`every`) counts from the last run: the window after a run r expects the next
 * one at r + every; after a window without a run, the next expected time is one period on.
 */
export class Cadence {
  private readonly cron: Cron | null;

  constructor(private readonly spec: ScheduleSpec) {
    this.cron =
      spec.cron === null
        ? null
        : new Cron(spec.cron, { timezone: spec.tz ?? "UTC", paused: true, mode: "5-or-6-parts" });
  }

  /** The first window of a schedule set (or changed) at `now`: it expects the next time. */
  first(now: number): ScheduleWindow {
    if (this.cron === null) return { opensAt: now, expectedAt: now + this.spec.everyMs! };
    const expectedAt = this.after(now);
    const previous = this.cron.previousRuns(1, new Date(expectedAt))[0];
    // The previous window (its late runs included) was before the schedule existed.
    const opensAt = previous === undefined ? now : previous.getTime() + this.spec.graceMs;
    return { opensAt, expectedAt };
  }

  /** The window after `window`, given the last run created in it (or null: none). */
  next(window: ScheduleWindow, lastRunAt: number | null): ScheduleWindow {
    const closes = window.expectedAt + this.spec.graceMs;
    if (this.cron !== null) return { opensAt: closes, expectedAt: this.after(window.expectedAt) };
    if (lastRunAt !== null)
      return { opensAt: lastRunAt, expectedAt: lastRunAt + this.spec.everyMs! };
    return { opensAt: closes, expectedAt: window.expectedAt + this.spec.everyMs! };
  }

  /** The period of an `every` schedule in ms; null for a cron schedule. */
  get everyMs(): number | null {
    return this.spec.everyMs;
  }

  /** A period's window `count` windows on from `window`, when none of them had a run. */
  skipEmpty(window: ScheduleWindow, count: number): ScheduleWindow {
    const every = this.spec.everyMs ?? 0;
    const last = window.expectedAt + (count - 1) * every;
    return { opensAt: last + this.spec.graceMs, expectedAt: last + every };
  }

  /** A cron schedule's first window still open at `now`, found without walking. */
  openAt(now: number): ScheduleWindow {
    // T + grace > now, that is T > now - grace.
    const expectedAt = this.after(now - this.spec.graceMs);
    const previous = this.cron?.previousRuns(1, new Date(expectedAt))[0];
    const opensAt = previous === undefined ? now : previous.getTime() + this.spec.graceMs;
    return { opensAt, expectedAt };
  }

  /** The next time the expression matches strictly after `ms`. */
  private after(ms: number): number {
    return this.cron!.nextRun(new Date(ms))?.getTime() ?? NEVER;
  }
}
