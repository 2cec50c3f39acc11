import type { NameRow } from "../schedules/name-view.ts";
import { closesAt, type Schedule, type ScheduleWindow } from "../schedules/schedule.ts";
import { fieldsOf } from "../schedules/spec.ts";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A schedule as the API shows it, with the window it waits on now. */
export function scheduleToJson(schedule: Schedule, window: ScheduleWindow) {
  return {
    name: schedule.name,
    ...fieldsOf(schedule),
    source: schedule.source,
    createdAt: iso(schedule.createdAt)!,
    updatedAt: iso(schedule.updatedAt)!,
    nextExpectedAt: iso(window.expectedAt)!,
    missedAfter: iso(closesAt({ ...schedule, window }))!,
  };
}

/** One row of `GET /api/names`. */
export function nameToJson(row: NameRow) {
  const { lastRun, lastSuccess, durations } = row;
  return {
    name: row.name,
    lastRun: lastRun && {
      ...lastRun,
      createdAt: iso(lastRun.createdAt),
      finishedAt: iso(lastRun.finishedAt),
    },
    lastSuccess: lastSuccess && { id: lastSuccess.id, finishedAt: iso(lastSuccess.finishedAt) },
    last24h: row.day,
    last7d: row.week,
    durationMs: durations && {
      median: durations.medianMs,
      p95: durations.p95Ms,
      sample: durations.sample,
    },
    schedule: row.schedule && scheduleToJson(row.schedule, row.window!),
    nextExpectedAt: row.window && iso(row.window.expectedAt),
  };
}
