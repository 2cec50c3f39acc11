/** How much history the daemon keeps. */
export interface RetentionPolicy {
  /** A finished run is removed, with its events, this many days after it finished. */
  days: number;
  /** A finished run keeps at most this many events; its oldest go first. */
  maxEventsPerRun: number;
}

/** The hosted service kept 60 days of history; we promise the same by default. */
export const DEFAULT_RETENTION_DAYS = 60;
export const DEFAULT_MAX_EVENTS_PER_RUN = 10_000;

export const DEFAULT_POLICY: RetentionPolicy = {
  days: DEFAULT_RETENTION_DAYS,
  maxEventsPerRun: DEFAULT_MAX_EVENTS_PER_RUN,
};

export const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The longest age a prune or a retention accepts: 100 years. Beyond some 270,000 years the
 * cutoff is no longer a date at all; a century already keeps everything.
 */
export const MAX_AGE_DAYS = 36_500;

/** Minutes at the least: retention is a matter of minutes to years, never of seconds. */
const UNIT_MS: Record<string, number> = {
  m: 60 * 1000,
  h: 60 * 60 * 1000,
  d: DAY_MS,
  w: 7 * DAY_MS,
};

/**
 * Reads an age such as `30d`, `12h`, `90m`, `2w` or `1.5d` into days. Answers null for
 * anything that is not a number and a unit (no unit, seconds, a sign, garbage), so the caller
 * can name its own flag; a zero or a huge number is read, for the caller's range check.
 */
export function parseAgeDays(text: string): number | null {
  const match = /^(\d+(?:\.\d+)?)\s*([mhdw])$/.exec(text.trim());
  if (!match) return null;
  return (Number(match[1]) * UNIT_MS[match[2]!]!) / DAY_MS;
}

/**
 * `60 days`, `12 hours`, `1.5 days`, `30 seconds`: how an age reads in the CLI's output. Seconds
 * only for a fraction of a minute, which `--retention-days` (a fraction of a day) can give.
 */
export function describeDays(days: number): string {
  const hours = days * 24;
  const minutes = hours * 60;
  if (days >= 1) return plural(days, "day");
  if (hours >= 1) return plural(hours, "hour");
  if (minutes >= 1) return plural(minutes, "minute");
  return plural(minutes * 60, "second");
}

const plural = (n: number, unit: string) => `${trim(n)} ${unit}${trim(n) === "1" ? "" : "s"}`;

const trim = (n: number) => String(Math.round(n * 100) / 100);
