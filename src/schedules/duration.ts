/**
 * Durations of schedules, to the second: `30s`, `5m`, `1h`, `1d`, or several units in
 * falling order (`1h30m`). Schedules have no use for milliseconds, so `250ms` is refused.
 */

const UNITS = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["m", 60_000],
  ["s", 1000],
] as const;

const PATTERN = /^(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Milliseconds, or null when `text` is not such a duration (or is empty). */
export function parseScheduleDuration(text: string): number | null {
  const match = PATTERN.exec(text.trim());
  if (!match || text.trim() === "") return null;
  let total = 0;
  for (const [index, [, ms]] of UNITS.entries()) {
    const digits = match[index + 1];
    if (digits !== undefined) total += Number(digits) * ms;
  }
  return Number.isSafeInteger(total) ? total : null;
}

/** The canonical text of a duration in whole seconds: `90000` → `1m30s`; `0` → `0s`. */
export function formatScheduleDuration(ms: number): string {
  let rest = Math.round(ms / 1000) * 1000;
  if (rest === 0) return "0s";
  let text = "";
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) text += `${count}${unit}`;
    rest -= count * size;
  }
  return text;
}
