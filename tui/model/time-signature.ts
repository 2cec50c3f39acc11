import { nameTimeTexts } from "../format/name-cells.ts";
import { runTimeTexts } from "../format/run-cells.ts";
import { formatAgo, formatLeft } from "../format/time.ts";
import type { WatchController } from "./watch-controller.ts";

/**
 * Every text on screen that changes with time alone, joined: the started and duration or
 * time-left cells of the runs shown, the detail view's relative times, the names view's
 * last run, last success and next expected time, the event rate. When
 * it is the same a second later, there is nothing to redraw.
 */
export function timeSignature(controller: WatchController, now: number): string {
  const { state, screen } = controller;
  const parts: (string | number)[] = [controller.eventRate(), state.help ? "help" : ""];
  const run = screen.detail?.run;
  if (state.view === "detail" && run) {
    for (const at of [run.createdAt, run.finishedAt, run.lateEndAt]) {
      parts.push(at === null ? "-" : formatAgo(at, now));
    }
    if (run.status === "running") parts.push(formatLeft(run.deadlineAt - now));
  } else if (state.view === "names") {
    for (const row of screen.names?.rows ?? []) parts.push(...nameTimeTexts(row, now));
  } else {
    for (const row of screen.page.rows) parts.push(...runTimeTexts(row, now));
  }
  return parts.join("|");
}
