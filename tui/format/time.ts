const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const pad = (n: number) => String(n).padStart(2, "0");

/**
 * A duration the way a person reads it, two units at most: "850ms", "42s", "3m05s",
 * "2h04m", "3d04h". Negative durations (clock skew) read as 0.
 */
export function formatDuration(ms: number): string {
  const value = Math.max(0, Math.round(ms));
  if (value < SECOND) return `${value}ms`;
  // Tenths below ten seconds: a run of 1.9 s shown as "1s" reads as half its length.
  if (value < 10 * SECOND) return `${(Math.floor(value / 100) / 10).toFixed(1)}s`;
  if (value < MINUTE) return `${Math.floor(value / SECOND)}s`;
  if (value < HOUR)
    return `${Math.floor(value / MINUTE)}m${pad(Math.floor((value % MINUTE) / SECOND))}s`;
  if (value < DAY)
    return `${Math.floor(value / HOUR)}h${pad(Math.floor((value % HOUR) / MINUTE))}m`;
  return `${Math.floor(value / DAY)}d${pad(Math.floor((value % DAY) / HOUR))}h`;
}

/**
 * Time left before a deadline: to the second in the last ten minutes ("4m12s", then "<1s"), to the
 * minute before that ("58m", "2h04m"). A countdown by the second an hour away tells nothing
 * more, and would redraw the screen every second.
 */
export function formatLeft(ms: number): string {
  if (ms < SECOND) return "<1s";
  if (ms >= 10 * MINUTE && ms < HOUR) return `${Math.floor(ms / MINUTE)}m`;
  if (ms >= SECOND && ms < MINUTE) return `${Math.floor(ms / SECOND)}s`;
  return formatDuration(ms);
}

/** How long ago `at` was: "now", "12s ago", "5m ago", "3h ago", "2d ago". */
export function formatAgo(at: number, now: number): string {
  const ago = now - at;
  if (ago < SECOND) return "now";
  if (ago < MINUTE) return `${Math.floor(ago / SECOND)}s ago`;
  if (ago < HOUR) return `${Math.floor(ago / MINUTE)}m ago`;
  if (ago < DAY) return `${Math.floor(ago / HOUR)}h ago`;
  return `${Math.floor(ago / DAY)}d ago`;
}

/** The local wall-clock time of `at`, "14:03:09", for the event lines. */
export function formatClock(at: number): string {
  const date = new Date(at);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** The local date and time of `at` with its offset: "2026-01-03 14:03:09.120 +01:00". */
export function formatDateTime(at: number): string {
  const date = new Date(at);
  const offset = -date.getTimezoneOffset();
  const sign = offset >= 0 ? "+" : "-";
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const ms = String(date.getMilliseconds()).padStart(3, "0");
  return `${day} ${formatClock(at)}.${ms} ${zone}`;
}
