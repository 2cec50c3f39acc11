import type { WatchEvent } from "../data/rows.ts";
import { eventBody, PREFIX_WIDTH } from "../format/event-style.ts";
import { safeLines } from "../../src/text/terminal-safe.ts";
import type { WrapEvent } from "./detail-scroll.ts";

/**
 * How the detail view breaks an event into screen lines at a terminal `columns` wide: each
 * line of the message, cleaned of escapes, wrapped after the time and kind prefix (long words
 * are cut, so that a 16 KiB line with no space still fits).
 */
export function wrapperFor(columns: number): WrapEvent {
  const width = Math.max(10, columns - PREFIX_WIDTH);
  return (event: WatchEvent) =>
    safeLines(eventBody(event)).flatMap((line) =>
      line === "" ? [""] : Bun.wrapAnsi(line, width, { hard: true, trim: false }).split("\n"),
    );
}
