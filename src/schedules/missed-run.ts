import type { RunListener, RunRepository } from "../domain/ports.ts";
import type { Run } from "../domain/run.ts";
import type { ScheduleStore } from "../storage/schedule-store.ts";
import { formatScheduleDuration } from "./duration.ts";
import type { Schedule } from "./schedule.ts";
import type { WindowCheck } from "./windows.ts";

/**
 * Records one `missed` run for the windows a check found empty, inside the caller's write
 * transaction: a run of the schedule's name, finished at creation (a timeout of 0, so its
 * deadline is its creation too, and none is ever scheduled), with the last expected time and
 * the number of windows on it, and a status event that says which. The run goes through the
 * same repository as every run, so metrics count it, and the run listeners (alerts) are told
 * in the same transaction, as for any state change.
 */
export function recordMissedRun(
  deps: { runs: RunRepository; store: ScheduleStore; listeners: readonly RunListener[] },
  schedule: Schedule,
  check: WindowCheck,
  now: number,
): Run {
  const { runs, store } = deps;
  const message = describeMissed(schedule, check);
  const id = runs.insertRun({
    name: schedule.name,
    version: null,
    timeoutSeconds: 0,
    createdAt: now,
    deadlineAt: now,
  });
  runs.finishRun(id, "missed", now, null, message);
  store.markMissed(id, check.lastMissedAt!, check.missed);
  runs.insertEvents([{ runId: id, at: now, kind: "status", message: `missed: ${message}` }]);

  const run = runs.getRun(id)!;
  for (const listener of deps.listeners) listener.onStatusChange?.(run, "running");
  return run;
}

/**
 * The sentence on a missed run: "no run started by 2026-03-29T01:15:00.000Z, expected at
 * 2026-03-29T01:00:00.000Z (03:00 Europe/Berlin) with 15m grace", or for several windows
 * "no run in 5 windows, expected from ... to ...".
 */
export function describeMissed(schedule: Schedule, check: WindowCheck): string {
  const grace = formatScheduleDuration(schedule.graceMs);
  const last = check.lastMissedAt!;
  if (check.missed === 1 && !check.atLeast) {
    const by = new Date(last + schedule.graceMs).toISOString();
    return `no run started by ${by}, expected at ${at(schedule, last)} with ${grace} grace`;
  }
  const count = `${check.atLeast ? "at least " : ""}${check.missed} windows`;
  const first = at(schedule, check.firstMissedAt!);
  return `no run in ${count}, expected from ${first} to ${at(schedule, last)} with ${grace} grace`;
}

/** A time in UTC, and for a cron schedule also as the clock on the wall of its zone. */
function at(schedule: Schedule, ms: number): string {
  const utc = new Date(ms).toISOString();
  if (schedule.tz === null || schedule.tz === "UTC") return utc;
  const local = new Date(ms).toLocaleString("sv-SE", { timeZone: schedule.tz, hour12: false });
  return `${utc} (${local} ${schedule.tz})`;
}
