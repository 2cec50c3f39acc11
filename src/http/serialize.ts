import { durationOf, type Run, type RunEvent } from "../domain/run.ts";

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** A run as the API shows it: ISO 8601 UTC times with milliseconds, durations in ms. */
export function runToJson(run: Run) {
  return {
    id: run.id,
    name: run.name,
    version: run.version,
    status: run.status,
    timeoutSeconds: run.timeoutSeconds,
    createdAt: iso(run.createdAt),
    deadlineAt: iso(run.deadlineAt),
    finishedAt: iso(run.finishedAt),
    durationMs: durationOf(run),
    reportedEndAt: iso(run.lateEndAt),
    reportedDurationMs: run.lateEndAt === null ? null : run.lateEndAt - run.createdAt,
    exitCode: run.exitCode,
    message: run.endMessage,
    eventCount: run.eventCount,
    eventsDropped: run.eventsDropped,
    expectedAt: iso(run.expectedAt ?? null),
    missedWindows: run.missedWindows ?? null,
  };
}

export function eventToJson(event: RunEvent) {
  return {
    id: event.id,
    jobId: event.runId,
    at: iso(event.at),
    kind: event.kind,
    message: event.message,
    truncated: event.truncated,
    stream: event.stream,
  };
}
