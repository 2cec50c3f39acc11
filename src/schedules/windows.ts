import type { Cadence } from "./cadence.ts";
import type { ScheduleWindow } from "./schedule.ts";

/** Finds runs of the schedule's name; missed runs never count as runs here. */
export interface RunLookup {
  /** The creation time of the last run created after `after` and at most at `upTo`. */
  lastRunIn(after: number, upTo: number): number | null;
}

/** What closing the windows that ended by some time found. */
export interface WindowCheck {
  /** The window to wait on next: the first one still open. */
  window: ScheduleWindow;
  /** How many windows closed without a run. */
  missed: number;
  /** True when more windows closed than were walked (see MAX_WINDOWS_WALKED). */
  atLeast: boolean;
  firstMissedAt: number | null;
  lastMissedAt: number | null;
}

/**
 * How many windows of a cron schedule one check walks. Each step costs croner a time zone
 * conversion (0.1 to 0.2 ms), so a minutely schedule and a month of downtime would hold the
 * write queue for seconds; past this many the check jumps to the open window and reports
 * the count as a floor. A period is counted exactly in one step however long the gap.
 */
export const MAX_WINDOWS_WALKED = 1000;

/**
 * Closes every window of a schedule that ended at or before `now` and counts those that
 * had no run. Called when the checker's timer for the window fires, and at start-up for the
 * windows that closed while the daemon was down: either way, all windows closed by `now`
 * are judged together, so the caller records at most one missed run for them.
 */
export function closeWindows(
  cadence: Cadence,
  graceMs: number,
  start: ScheduleWindow,
  now: number,
  runs: RunLookup,
): WindowCheck {
  const check: WindowCheck = {
    window: start,
    missed: 0,
    atLeast: false,
    firstMissedAt: null,
    lastMissedAt: null,
  };
  // Once no run follows a window's opening, every later window up to now is empty too.
  let noMoreRuns = false;
  for (let walked = 0; check.window.expectedAt + graceMs <= now; walked++) {
    const window = check.window;
    const closes = window.expectedAt + graceMs;
    const lastRun = noMoreRuns ? null : runs.lastRunIn(window.opensAt, closes);
    if (lastRun === null) {
      noMoreRuns ||= runs.lastRunIn(window.opensAt, now) === null;
      if (noMoreRuns && skipEmptyPeriods(cadence, graceMs, check, now)) return check;
      if (walked >= MAX_WINDOWS_WALKED) {
        check.atLeast = true;
        check.window = cadence.openAt(now);
        return check;
      }
      countMissed(check, window.expectedAt, window.expectedAt, 1);
    }
    check.window = cadence.next(window, lastRun);
  }
  return check;
}

function countMissed(check: WindowCheck, first: number, last: number, count: number): void {
  check.missed += count;
  check.firstMissedAt ??= first;
  check.lastMissedAt = last;
}

/** A period's empty windows up to `now`, counted in one step; false for a cron schedule. */
function skipEmptyPeriods(cadence: Cadence, graceMs: number, check: WindowCheck, now: number) {
  const every = cadence.everyMs;
  if (every === null) return false;
  const { expectedAt } = check.window;
  const count = Math.floor((now - (expectedAt + graceMs)) / every) + 1;
  countMissed(check, expectedAt, expectedAt + (count - 1) * every, count);
  check.window = cadence.skipEmpty(check.window, count);
  return true;
}
