/**
 * A schedule says when runs of one job name are expected: a cron expression in an IANA time
 * zone, or a fixed period (`every`) counted from the last run. `grace` is how late a run may
 * start and still count. The times of a schedule are computed in cadence.ts; whether a
 * window passed without a run is decided in windows.ts.
 */
export interface ScheduleSpec {
  /** A cron expression (5 fields, or 6 with seconds first), or null for a period. */
  cron: string | null;
  /** The time zone of `cron`; null for a period. */
  tz: string | null;
  /** The period in ms, or null for a cron schedule. */
  everyMs: number | null;
  graceMs: number;
}

/**
 * The window the checker waits on: a run of the name created after `opensAt` and at most
 * `grace` after `expectedAt` counts for the expected time. Windows follow each other
 * without overlap, so one run never answers for two expected times.
 */
export interface ScheduleWindow {
  opensAt: number;
  expectedAt: number;
}

/** Where a schedule was declared: over the API, or in the config file's [[schedules]]. */
export type ScheduleSource = "api" | "config";

export interface Schedule extends ScheduleSpec {
  id: number;
  name: string;
  source: ScheduleSource;
  createdAt: number;
  updatedAt: number;
  window: ScheduleWindow;
}

/** When the current window closes: the checker's deadline for the schedule. */
export const closesAt = (schedule: ScheduleSpec & { window: ScheduleWindow }): number =>
  schedule.window.expectedAt + schedule.graceMs;

export const sameSpec = (a: ScheduleSpec, b: ScheduleSpec): boolean =>
  a.cron === b.cron && a.tz === b.tz && a.everyMs === b.everyMs && a.graceMs === b.graceMs;

/**
 * The window a schedule waits on as of now: the stored one, except for a period with a run
 * since that window opened, whose next run is expected one period after that run (the
 * checker moves the stored window only when the old one closes).
 */
export function currentWindow(schedule: Schedule, lastRunSinceOpen: number | null): ScheduleWindow {
  if (schedule.everyMs === null || lastRunSinceOpen === null) return schedule.window;
  return { opensAt: lastRunSinceOpen, expectedAt: lastRunSinceOpen + schedule.everyMs };
}
