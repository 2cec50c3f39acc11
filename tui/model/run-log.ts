import type { EventReader } from "../data/event-reader.ts";
import type { TableMove } from "./table-nav.ts";
import { scrollLog, visibleLines, type DetailPosition, type LogLine } from "./detail-scroll.ts";
import { wrapperFor } from "./wrap-event.ts";

/**
 * The event log of one run in the detail view, `height` lines of a terminal `columns` wide:
 * binds the scrolling arithmetic (detail-scroll.ts) to the run's events in the database.
 */
export class RunLog {
  constructor(
    private readonly events: EventReader,
    private readonly runId: number,
    private readonly columns: number,
    private readonly height: number,
  ) {}

  /** The position after a key: one line, a page (one line of overlap), the start, the end. */
  move(position: DetailPosition, move: TableMove): DetailPosition {
    const page = Math.max(1, this.height - 1);
    const deltas: Record<TableMove, number | "start" | "end"> = {
      up: -1,
      down: 1,
      pageUp: -page,
      pageDown: page,
      top: "start",
      bottom: "end",
    };
    return this.scroll(position, deltas[move]);
  }

  /** Where the last line of the log is at the bottom of the screen. */
  end(position: DetailPosition): DetailPosition {
    return this.scroll(position, "end");
  }

  lines(position: DetailPosition): LogLine[] {
    return visibleLines(this.slice, wrapperFor(this.columns), position, this.height);
  }

  count(): number {
    return this.events.count(this.runId);
  }

  private scroll(position: DetailPosition, delta: number | "start" | "end"): DetailPosition {
    const wrap = wrapperFor(this.columns);
    return scrollLog(this.slice, wrap, this.count(), position, this.height, delta);
  }

  private readonly slice = (index: number, limit: number) =>
    this.events.slice(this.runId, index, limit);
}
