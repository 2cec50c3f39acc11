import type { WatchRun } from "../data/rows.ts";
import type { Painter } from "./paint.ts";
import { oneLine } from "../../src/text/terminal-safe.ts";
import { paintStatus } from "./status-style.ts";
import { formatAgo, formatDuration, formatLeft } from "./time.ts";
import { fit } from "./fit.ts";

/** The table's columns in order; `width` 0 means "what is left" (the name). */
export const COLUMNS = [
  { key: "id", title: "ID", width: 8, align: "right" },
  { key: "name", title: "NAME", width: 0, align: "left" },
  { key: "version", title: "VERSION", width: 9, align: "left" },
  { key: "status", title: "STATUS", width: 11, align: "left" },
  { key: "started", title: "STARTED", width: 8, align: "left" },
  { key: "time", title: "DURATION / LEFT", width: 18, align: "left" },
] as const;

export type ColumnKey = (typeof COLUMNS)[number]["key"];
/** Two columns for the selection marker, one space between columns. */
const MARKER = 2;
const BAR_CELLS = 6;

/** The width of each column for a table `width` columns wide; the name gets the rest. */
export function columnWidths(width: number): Record<ColumnKey, number> {
  const fixed = COLUMNS.reduce((sum, column) => sum + column.width, 0);
  const name = Math.max(8, width - MARKER - fixed - (COLUMNS.length - 1));
  const widths = {} as Record<ColumnKey, number>;
  for (const column of COLUMNS) widths[column.key] = column.width || name;
  return widths;
}

/** The header line of the table, fitted to `width`. */
export function headerLine(width: number): string {
  const widths = columnWidths(width);
  const cells = COLUMNS.map((column) => fit(column.title, widths[column.key], column.align));
  return fit(" ".repeat(MARKER) + cells.join(" "), width);
}

/** One run as a table line of exactly `width` columns, `›` marking the selected one. */
export function runLine(
  run: WatchRun,
  now: number,
  width: number,
  paint: Painter,
  selected: boolean,
): string {
  const widths = columnWidths(width);
  const values: Record<ColumnKey, string> = {
    id: String(run.id),
    name: oneLine(run.name),
    version: oneLine(run.version ?? "-"),
    status: paintStatus(run.status, paint),
    ...timeTexts(run, now),
  };
  const cells = COLUMNS.map((col) => fit(values[col.key], widths[col.key], col.align));
  const line = fit((selected ? "› " : "  ") + cells.join(" "), width);
  return selected ? paint.inverse(line) : line;
}

/** The two cells of a run that change with time alone: when it started, and the time cell. */
export function runTimeTexts(run: WatchRun, now: number): [string, string] {
  return [formatAgo(run.createdAt, now), timeCell(run, now)];
}

function timeTexts(run: WatchRun, now: number): { started: string; time: string } {
  const [started, time] = runTimeTexts(run, now);
  return { started, time };
}

/**
 * The duration of a finished run, or for a running one a bar that fills towards its deadline
 * and the time left: "███░░░ 4m12s left". Past the deadline (the daemon marks it within a
 * second, or it is stopped) the bar is full and says "overdue".
 */
export function timeCell(run: WatchRun, now: number): string {
  if (run.status !== "running") {
    return run.finishedAt === null ? "-" : formatDuration(run.finishedAt - run.createdAt);
  }
  const total = Math.max(1, run.deadlineAt - run.createdAt);
  const elapsed = Math.min(1, Math.max(0, (now - run.createdAt) / total));
  const filled = Math.round(elapsed * BAR_CELLS);
  const bar = "█".repeat(filled) + "░".repeat(BAR_CELLS - filled);
  const left = run.deadlineAt - now;
  return left > 0 ? `${bar} ${formatLeft(left)} left` : `${bar} overdue`;
}
