import { formatTable } from "../../src/cli/format-table.ts";
import type { WatchRun } from "../data/rows.ts";
import { oneLine } from "../../src/text/terminal-safe.ts";
import { formatDuration } from "./time.ts";

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The runs table as plain text, for `statusbox watch --once` and for a stdout that is not a
 * terminal: no colour, no symbols, the raw status names the API uses and UTC times, so that
 * scripts can cut it into columns.
 */
export function snapshotText(runs: WatchRun[], now: number): string {
  const rows = runs.map((run) => [
    String(run.id),
    oneLine(run.name),
    oneLine(run.version ?? "-"),
    oneLine(run.status),
    iso(run.createdAt),
    run.finishedAt === null ? "-" : formatDuration(run.finishedAt - run.createdAt),
    run.status !== "running" ? "-" : leftOf(run, now),
  ]);
  const headers = ["ID", "NAME", "VERSION", "STATUS", "STARTED", "DURATION", "TIME LEFT"];
  return formatTable(headers, rows);
}

function leftOf(run: WatchRun, now: number): string {
  const left = run.deadlineAt - now;
  return left > 0 ? formatDuration(left) : "overdue";
}
