import type { Job, JobEvent } from "../../client/types.ts";
import { terminalSafe } from "../../text/terminal-safe.ts";

/**
 * `statusbox job show` for a person: the run's fields, one per line, then its events oldest
 * first, one per line (`time  kind  stream  message`). A message's own line breaks are shown
 * as `\n`, so that each event stays on one line. Every text from the daemon is made
 * terminal-safe: a job's name or log line must not be able to drive the reader's terminal.
 */
export function formatRun(job: Job, events: JobEvent[]): string {
  const fields: [string, string][] = [
    ["id", String(job.id)],
    ["name", job.name],
    ["version", job.version ?? "-"],
    ["status", job.status + (job.exitCode === null ? "" : ` (exit code ${job.exitCode})`)],
    ["message", job.message ?? "-"],
    ["timeout", `${job.timeoutSeconds}s`],
    ["created", job.createdAt],
    ["deadline", job.deadlineAt],
    ["finished", job.finishedAt ?? "-"],
    ["duration", job.durationMs === null ? "-" : formatDuration(job.durationMs)],
  ];
  if (job.reportedEndAt !== null) {
    fields.push([
      "reported end",
      `${job.reportedEndAt} (after ${formatDuration(job.reportedDurationMs!)})`,
    ]);
  }
  if (job.expectedAt) {
    fields.push(["expected", job.expectedAt], ["missed", `${job.missedWindows ?? 1} window(s)`]);
  }
  fields.push(["events", String(job.eventCount)]);

  const width = Math.max(...fields.map(([name]) => name.length));
  const head = fields.map(([name, value]) => `${name.padEnd(width)}  ${terminalSafe(value)}`);
  const lines = events.map((e) => {
    const message = terminalSafe(e.message) + (e.truncated ? " [truncated]" : "");
    const kind = terminalSafe(e.kind).padEnd(8);
    const stream = terminalSafe(e.stream ?? "-").padEnd(6);
    return `${terminalSafe(e.at)}  ${kind}  ${stream}  ${message}`;
  });
  return [...head, "", ...lines, ""].join("\n");
}

function formatDuration(ms: number): string {
  if (ms < 60_000) return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, "")}s`;
  const seconds = Math.round(ms / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0
    ? `${h}h${String(m).padStart(2, "0")}m${String(s).padStart(2, "0")}s`
    : `${m}m${String(s).padStart(2, "0")}s`;
}
