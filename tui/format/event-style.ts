import type { WatchEvent } from "../data/rows.ts";
import type { Color, Painter } from "./paint.ts";
import { oneLine } from "../../src/text/terminal-safe.ts";
import { formatClock } from "./time.ts";

/** How an event's kind reads: a word (so it reads without colour), a colour, a mark. */
export interface EventStyle {
  label: string;
  color: Color | null;
  /** Put before the message: state changes read as "→ completed". */
  mark: string;
}

/** The width of the kind column, the longest label ("refused", "stderr"). */
export const KIND_WIDTH = 7;

/**
 * Messages are plain; stderr lines from a command wrapper are red and say "stderr"; state
 * changes say "state" with an arrow; end signals the run refused say "refused". A kind this
 * version does not know shows under its own name.
 */
export function eventStyle(event: Pick<WatchEvent, "kind" | "stream">): EventStyle {
  if (event.kind === "log") {
    return event.stream === "stderr"
      ? { label: "stderr", color: "red", mark: "" }
      : { label: "log", color: null, mark: "" };
  }
  if (event.kind === "status") return { label: "state", color: "cyan", mark: "→ " };
  if (event.kind === "rejected") return { label: "refused", color: "yellow", mark: "⊘ " };
  return { label: oneLine(event.kind).slice(0, KIND_WIDTH), color: null, mark: "" };
}

/** "14:03:09 state   " with the kind painted: the start of every event line. */
export function eventPrefix(event: WatchEvent, paint: Painter): string {
  const style = eventStyle(event);
  const label = paint.color(style.label.padEnd(KIND_WIDTH), style.color);
  return `${paint.dim(formatClock(event.at))} ${label} `;
}

/** The width of eventPrefix: the time, a space, the kind, a space. */
export const PREFIX_WIDTH = 8 + 1 + KIND_WIDTH + 1;

/** The message of an event with its mark and a note when it was cut; not yet cleaned. */
export function eventBody(event: WatchEvent): string {
  const note = event.truncated ? " (truncated at 16 KiB)" : "";
  return eventStyle(event).mark + event.message + note;
}

/** The colour of the message itself: stderr lines and refusals stand out, the rest is plain. */
export function bodyColor(event: WatchEvent): Color | null {
  const style = eventStyle(event);
  return event.kind === "status" ? null : style.color;
}
