import { formatScheduleDuration } from "./duration.ts";
import type { ScheduleSpec } from "./schedule.ts";

/**
 * A schedule in a few words, as people write it: "cron 0 3 * * * (Europe/Berlin), grace 15m"
 * or "every 1h, grace 5m".
 */
export function describeSpec(spec: ScheduleSpec): string {
  const cadence =
    spec.cron !== null
      ? `cron ${spec.cron} (${spec.tz ?? "UTC"})`
      : `every ${formatScheduleDuration(spec.everyMs ?? 0)}`;
  return `${cadence}, grace ${formatScheduleDuration(spec.graceMs)}`;
}
