/**
 * What the terminal UI reads, typed loosely on purpose: the UI may run against a database
 * written by a newer daemon, so a status it does not know is kept as text (and shown as such)
 * rather than rejected, and columns added by later schema versions are optional.
 */
export interface WatchRun {
  id: number;
  name: string;
  version: string | null;
  status: string;
  timeoutSeconds: number;
  createdAt: number;
  deadlineAt: number;
  finishedAt: number | null;
  lateEndAt: number | null;
  exitCode: number | null;
  endMessage: string | null;
  eventCount: number;
  eventsDropped: number;
  /** A missed run's last expected time, and how many windows it stands for. */
  expectedAt: number | null;
  missedWindows: number | null;
}

export interface WatchEvent {
  id: number;
  runId: number;
  at: number;
  kind: string;
  message: string;
  truncated: boolean;
  stream: string | null;
}

export interface RunRow {
  id: number;
  name: string;
  version: string | null;
  status: string;
  timeout_seconds: number;
  created_at: number;
  deadline_at: number;
  finished_at: number | null;
  late_end_at: number | null;
  exit_code: number | null;
  end_message: string | null;
  event_count: number;
  events_dropped?: number;
  expected_at?: number | null;
  missed_windows?: number | null;
}

export interface EventRow {
  id: number;
  run_id: number;
  at: number;
  kind: string;
  message: string;
  truncated: number;
  stream: string | null;
}

export const toWatchRun = (row: RunRow): WatchRun => ({
  id: row.id,
  name: row.name,
  version: row.version,
  status: row.status,
  timeoutSeconds: row.timeout_seconds,
  createdAt: row.created_at,
  deadlineAt: row.deadline_at,
  finishedAt: row.finished_at,
  lateEndAt: row.late_end_at,
  exitCode: row.exit_code,
  endMessage: row.end_message,
  eventCount: row.event_count,
  eventsDropped: row.events_dropped ?? 0,
  expectedAt: row.expected_at ?? null,
  missedWindows: row.missed_windows ?? null,
});

export const toWatchEvent = (row: EventRow): WatchEvent => ({
  id: row.id,
  runId: row.run_id,
  at: row.at,
  kind: row.kind,
  message: row.message,
  truncated: row.truncated === 1,
  stream: row.stream,
});
