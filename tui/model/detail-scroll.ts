import type { WatchEvent } from "../data/rows.ts";

/**
 * Where the detail view's log is scrolled to: `top` is the position of the first event shown
 * (0 is the oldest kept), `skip` how many of its wrapped lines are above the screen, and
 * `atEnd` whether it sticks to the newest line as events arrive (like `tail -f`).
 */
export interface DetailPosition {
  top: number;
  skip: number;
  atEnd: boolean;
}

export interface LogLine {
  event: WatchEvent;
  text: string;
  /** The event's first line, which carries its time and kind. */
  first: boolean;
}

/** Reads `limit` events of the run from position `index`, oldest first. */
export type SliceEvents = (index: number, limit: number) => WatchEvent[];
/** The wrapped lines of one event's message, at least one. */
export type WrapEvent = (event: WatchEvent) => string[];

export const LOG_START: DetailPosition = { top: 0, skip: 0, atEnd: false };

interface Located extends LogLine {
  index: number;
  line: number;
}

function flatten(events: WatchEvent[], from: number, wrap: WrapEvent): Located[] {
  return events.flatMap((event, offset) =>
    wrap(event).map((text, line) => ({
      event,
      text,
      first: line === 0,
      index: from + offset,
      line,
    })),
  );
}

/** The lines on screen at `position`, at most `height`. Reads at most `height` events. */
export function visibleLines(
  slice: SliceEvents,
  wrap: WrapEvent,
  position: DetailPosition,
  height: number,
): LogLine[] {
  const lines = flatten(slice(position.top, height), position.top, wrap);
  return lines.slice(position.skip, position.skip + height);
}

/**
 * Scrolls by `delta` lines (negative: up), or to the start or the end of the log. Only the
 * events around the screen are read: every event is at least one line, so moving n lines
 * needs at most n + height events.
 */
export function scrollLog(
  slice: SliceEvents,
  wrap: WrapEvent,
  total: number,
  position: DetailPosition,
  height: number,
  delta: number | "start" | "end",
): DetailPosition {
  if (delta === "start") return LOG_START;
  if (delta === "end") return endOf(slice, wrap, total, height);
  if (delta === 0) return position;
  if (delta > 0) return down(slice, wrap, total, position, height, delta);

  const from = Math.max(0, position.top + delta);
  const lines = flatten(slice(from, position.top - from + 1), from, wrap);
  const current = lines.findIndex((l) => l.index === position.top && l.line === position.skip);
  const target = lines[Math.max(0, current + delta)];
  return target ? { top: target.index, skip: target.line, atEnd: false } : LOG_START;
}

function down(
  slice: SliceEvents,
  wrap: WrapEvent,
  total: number,
  position: DetailPosition,
  height: number,
  delta: number,
): DetailPosition {
  const events = slice(position.top, delta + height + 1);
  const lines = flatten(events, position.top, wrap);
  const reachesEnd = position.top + events.length >= total;
  const lastStart = reachesEnd ? Math.max(0, lines.length - height) : Number.MAX_SAFE_INTEGER;
  const target = Math.max(0, Math.min(position.skip + delta, lastStart));
  const line = lines[target];
  if (!line) return position;
  return { top: line.index, skip: line.line, atEnd: reachesEnd && target >= lastStart };
}

function endOf(slice: SliceEvents, wrap: WrapEvent, total: number, height: number): DetailPosition {
  const from = Math.max(0, total - height);
  const lines = flatten(slice(from, height), from, wrap);
  const start = lines[Math.max(0, lines.length - height)];
  return start
    ? { top: start.index, skip: start.line, atEnd: true }
    : { ...LOG_START, atEnd: true };
}
