import { describeSpec } from "../../src/schedules/describe.ts";
import type { NameRow } from "../../src/schedules/name-view.ts";
import { oneLine } from "../../src/text/terminal-safe.ts";
import { fit } from "../format/fit.ts";
import { nameHeaderLine, nameLine } from "../format/name-cells.ts";
import type { Painter } from "../format/paint.ts";
import { Lines } from "./Lines.tsx";

export interface NamesViewProps {
  /** The names on screen, from the top row down. */
  rows: NameRow[];
  /** Which of `rows` the cursor is on. */
  selected: number;
  /** How many names are listed. */
  total: number;
  /** The database holds names beyond the `total` listed. */
  more?: boolean;
  /** Lines of the whole view: a header line, the names, and a line that sums up. */
  height: number;
  width: number;
  now: number;
  paint: Painter;
}

/**
 * The view by job name: one line per name with its health at a glance, and the schedule of
 * the selected name on the last line (a column would leave too little room for names at
 * 80 columns). Enter on a name lists its runs (the runs table, filtered to exactly that name).
 */
export function NamesView(props: NamesViewProps) {
  const { rows, selected, total, more = false, height, width, now, paint } = props;
  const shown = rows.slice(0, Math.max(0, height - 2));
  const lines = shown.map((row, i) => nameLine(row, now, width, paint, i === selected));
  const summary = fit(summaryText(shown[selected], total, more), width);
  const body = lines.length > 0 ? lines : [paint.dim("  no job names yet")];
  const padding = Array.from({ length: Math.max(0, height - 2 - body.length) }, () => "");
  const all = [paint.bold(nameHeaderLine(width)), ...body, ...padding, paint.dim(summary)];
  return <Lines lines={all} height={height} width={width} />;
}

/** The selected name's schedule when it has one, then how many names and what 24H/7D mean. */
function summaryText(row: NameRow | undefined, total: number, more: boolean): string {
  const names = more
    ? `the first ${total} job names of more (/ in the runs finds any)`
    : `${total} job name${total === 1 ? "" : "s"}`;
  const legend = "24H and 7D are runs/failures (failed, timed out, missed)";
  if (!row?.schedule) return `  ${names}; ${legend}`;
  return `  ${oneLine(row.name)}: ${describeSpec(row.schedule)} · ${names}; ${legend}`;
}
