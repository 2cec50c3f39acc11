import type { WatchEvent, WatchRun } from "../data/rows.ts";
import { bodyColor, eventBody, eventPrefix } from "../format/event-style.ts";
import type { Painter } from "../format/paint.ts";
import { oneLine } from "../../src/text/terminal-safe.ts";
import { Lines } from "./Lines.tsx";

export interface EventPaneProps {
  run: WatchRun | null;
  events: WatchEvent[];
  /** Lines of events, not counting the title. */
  height: number;
  width: number;
  paint: Painter;
}

/**
 * The newest events of the selected run, one line each, newest at the bottom like a log
 * tail: time, kind (log, stderr, state, refused) and the message's first line.
 */
export function EventPane({ run, events, height, width, paint }: EventPaneProps) {
  const title = run
    ? `── events of run ${run.id} (${oneLine(run.name)}): ${run.eventCount} · ⏎ for all `
    : "── events ";
  const shown = events.slice(-height);

  const rule = paint.dim(title + "─".repeat(Math.max(0, width - Bun.stringWidth(title))));
  const body = shown.map((event) => eventLine(event, paint));
  if (run && body.length === 0) body.push(paint.dim("  no events"));
  return <Lines lines={[rule, ...body]} height={height + 1} width={width} />;
}

export function eventLine(event: WatchEvent, paint: Painter): string {
  return eventPrefix(event, paint) + paint.color(oneLine(eventBody(event)), bodyColor(event));
}
