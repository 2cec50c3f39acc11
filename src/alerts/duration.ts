const UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const PART = /(\d+)(ms|s|m|h|d)/gy;

/**
 * Parses a duration written as a number and a unit (`30s`, `5m`, `1h`, `1d`, `250ms`), or a
 * few of them in a row (`1h30m`). Answers milliseconds, or null when the text is not one.
 */
export function parseDuration(text: string): number | null {
  if (text.length === 0) return null;
  PART.lastIndex = 0;
  let total = 0;
  let end = 0;
  for (let match = PART.exec(text); match; match = PART.exec(text)) {
    total += Number(match[1]) * UNIT_MS[match[2]!]!;
    end = PART.lastIndex;
  }
  return end === text.length ? total : null;
}

/** The short form of a duration for people: `1.5s`, `30m`, `2h`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${trim(ms / 1000)}s`;
  if (ms < 3_600_000) return `${trim(ms / 60_000)}m`;
  if (ms < 86_400_000) return `${trim(ms / 3_600_000)}h`;
  return `${trim(ms / 86_400_000)}d`;
}

const trim = (value: number) => value.toFixed(1).replace(/\.0$/, "");
