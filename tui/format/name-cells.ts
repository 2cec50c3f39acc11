import type { NameRow } from "../../src/schedules/name-view.ts";
import { fit } from "./fit.ts";
import type { Painter } from "./paint.ts";
import { oneLine } from "../../src/text/terminal-safe.ts";
import { styleOf } from "./status-style.ts";
import { formatAgo, formatDuration } from "./time.ts";

/** The names view's columns in order; `width` 0 means "what is left" (the name). */
const COLUMNS = [
  { key: "name", title: "NAME", width: 0, align: "left" },
  { key: "last", title: "LAST RUN", width: 10, align: "left" },
  { key: "ok", title: "LAST OK", width: 8, align: "left" },
  { key: "day", title: "24H", width: 9, align: "right" },
  { key: "week", title: "7D", width: 9, align: "right" },
  { key: "p50", title: "P50", width: 6, align: "right" },
  { key: "p95", title: "P95", width: 6, align: "right" },
  { key: "next", title: "NEXT", width: 10, align: "left" },
] as const;

type Key = (typeof COLUMNS)[number]["key"];
const MARKER = 2;

function widths(width: number): Record<Key, number> {
  const fixed = COLUMNS.reduce((sum, column) => sum + column.width, 0);
  const name = Math.max(8, width - MARKER - fixed - (COLUMNS.length - 1));
  const result = {} as Record<Key, number>;
  for (const column of COLUMNS) result[column.key] = column.width || name;
  return result;
}

export function nameHeaderLine(width: number): string {
  const w = widths(width);
  const cells = COLUMNS.map((column) => fit(column.title, w[column.key], column.align));
  return fit(" ".repeat(MARKER) + cells.join(" "), width);
}

/**
 * One job name as a line of exactly `width` columns: its last run (status symbol and how
 * long ago), its last success, runs/failures over 24 h and 7 d, median and p95 duration of
 * its completed runs, and when its schedule next expects a run ("late" once that passed).
 */
export function nameLine(
  row: NameRow,
  now: number,
  width: number,
  paint: Painter,
  selected: boolean,
): string {
  const w = widths(width);
  const values: Record<Key, string> = {
    name: oneLine(row.name),
    last: lastRunText(row, now, paint),
    ok: row.lastSuccess ? formatAgo(row.lastSuccess.finishedAt, now) : "never",
    day: tally(row.day, w.day),
    week: tally(row.week, w.week),
    p50: row.durations ? formatDuration(row.durations.medianMs) : "-",
    p95: row.durations ? formatDuration(row.durations.p95Ms) : "-",
    next: nextText(row, now),
  };
  const cells = COLUMNS.map((column) => fit(values[column.key], w[column.key], column.align));
  const line = fit((selected ? "› " : "  ") + cells.join(" "), width);
  return selected ? paint.inverse(line) : line;
}

function lastRunText(row: NameRow, now: number, paint: Painter): string {
  if (!row.lastRun) return "-";
  const style = styleOf(row.lastRun.status);
  return `${paint.color(style.symbol, style.color)} ${formatAgo(row.lastRun.createdAt, now)}`;
}

/**
 * "12/1": runs, then failures (failed, timed out, missed); counts that would not fit are
 * shortened ("12.3k/104") rather than cut, which would lose the failures.
 */
function tally(t: NameRow["day"], width: number): string {
  const exact = `${t.runs}/${t.failures}`;
  return exact.length <= width ? exact : `${compact(t.runs)}/${compact(t.failures)}`;
}

/** At most 4 characters up to 999 million: 999, 1.2k, 12k, 123k, 1.2M... */
function compact(n: number): string {
  if (n < 1000) return String(n);
  for (const [unit, size] of [
    ["k", 1e3],
    ["M", 1e6],
    ["G", 1e9],
  ] as const) {
    const scaled = n / size;
    if (scaled < 9.95) return `${scaled.toFixed(1)}${unit}`;
    if (scaled < 999.5) return `${Math.round(scaled)}${unit}`;
  }
  return `${Math.round(n / 1e12)}T`;
}

/** The texts of a name's line that change with time alone (see timeSignature). */
export function nameTimeTexts(row: NameRow, now: number): string[] {
  return [
    row.lastRun ? formatAgo(row.lastRun.createdAt, now) : "-",
    row.lastSuccess ? formatAgo(row.lastSuccess.finishedAt, now) : "-",
    nextText(row, now),
  ];
}

function nextText(row: NameRow, now: number): string {
  if (!row.window || !row.schedule) return "-";
  const expected = row.window.expectedAt;
  if (expected >= now) return `in ${formatDuration(expected - now)}`;
  return expected + row.schedule.graceMs >= now ? "due" : "late";
}
