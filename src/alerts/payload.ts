import type { Run, RunEvent } from "../domain/run.ts";
import { eventToJson, runToJson } from "../http/serialize.ts";
import { formatDuration } from "./duration.ts";

/** How many of a run's last events an alert carries, and how much of each message. */
export const ALERT_EVENTS = 10;
const EVENT_MESSAGE_CHARS = 1000;

/**
 * What every channel is told, and exactly what a webhook receives as its JSON body (and a
 * command on stdin). Built once, in the transaction of the state change, and stored in the
 * outbox, so a retry days later sends the same thing.
 */
export interface AlertPayload {
  /** failed, timed_out, missed, cancelled, recovered, completed; `test` for alerts test. */
  trigger: string;
  /** One line for people: "backup-db #42 failed after 12.3s (exit code 2): disk full". */
  summary: string;
  channel: string;
  /** The same on every attempt of this alert, so a receiver can drop duplicates. */
  idempotencyKey: string;
  createdAt: string;
  /** Alerts for this name and channel held back by the cooldown since the previous one. */
  heldBack: number;
  /** Runs of this name that went wrong in a row (failures: this one included). */
  failuresInARow: number;
  test: boolean;
  run: ReturnType<typeof runToJson>;
  /** The run's last events, oldest first; long messages are cut (`truncated: true`). */
  events: ReturnType<typeof eventToJson>[];
}

export interface PayloadInput {
  trigger: string;
  channel: string;
  run: Run;
  events: RunEvent[];
  idempotencyKey: string;
  createdAt: number;
  heldBack: number;
  failuresInARow: number;
  test?: boolean;
}

export function buildPayload(input: PayloadInput): AlertPayload {
  const payload: AlertPayload = {
    trigger: input.trigger,
    summary: "",
    channel: input.channel,
    idempotencyKey: input.idempotencyKey,
    createdAt: new Date(input.createdAt).toISOString(),
    heldBack: input.heldBack,
    failuresInARow: input.failuresInARow,
    test: input.test ?? false,
    run: runToJson(input.run),
    events: input.events.map((event) => eventToJson(cutEvent(event))),
  };
  payload.summary = summarize(payload);
  return payload;
}

function cutEvent(event: RunEvent): RunEvent {
  if (event.message.length <= EVENT_MESSAGE_CHARS) return event;
  const message = `${event.message.slice(0, EVENT_MESSAGE_CHARS)}…`;
  return { ...event, message, truncated: true };
}

/** The one-line summary every channel leads with. */
export function summarize(payload: AlertPayload): string {
  const { run } = payload;
  const took = run.durationMs === null ? "" : formatDuration(run.durationMs);
  const exit = run.exitCode === null ? "" : ` (exit code ${run.exitCode})`;
  const said = run.message ? `: ${oneLine(run.message, 200)}` : "";
  const who = `${run.name} #${run.id}`;
  const limit = formatDuration(run.timeoutSeconds * 1000);
  const streak = plural(payload.failuresInARow, "run");

  const what: Record<string, string> = {
    test: `test alert from StatusBox for channel '${payload.channel}'`,
    failed: `${who} failed after ${took}${exit}${said}`,
    timed_out: `${who} timed out: no end signal within ${limit}`,
    cancelled: `${who} was cancelled after ${took}${exit}${said}`,
    missed: `${who} missed${said}`,
    completed: `${who} completed in ${took}${exit}`,
    recovered: `${who} recovered: completed in ${took} after ${streak} that went wrong`,
  };
  let line = what[payload.trigger] ?? `${who} ${payload.trigger}`;
  if (payload.failuresInARow > 1 && payload.trigger !== "recovered") {
    line += ` (${payload.failuresInARow} in a row)`;
  }
  if (payload.heldBack > 0) {
    line += ` (+${plural(payload.heldBack, "alert")} held back by cooldown)`;
  }
  return line;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** Text on one line, at most `max` characters: for titles, subjects and summaries. */
export function oneLine(text: string, max: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

/** The last events as plain lines, `HH:MM:SS.mmm [stream] message`, for chat and mail. */
export function eventLines(payload: AlertPayload, max = ALERT_EVENTS): string[] {
  return payload.events.slice(-max).map((event) => {
    const time = event.at?.slice(11, 23) ?? "";
    const stream = event.stream ? ` [${event.stream}]` : "";
    return `${time}${stream} ${oneLine(event.message, 300)}`;
  });
}
