import type { WatchRun } from "../data/rows.ts";
import type { Painter } from "../format/paint.ts";
import { headerLine, runLine } from "../format/run-cells.ts";
import { Lines } from "./Lines.tsx";

export interface RunTableProps {
  runs: WatchRun[];
  selectedId: number | null;
  /** Rows of runs, not counting the header line. */
  height: number;
  width: number;
  now: number;
  paint: Painter;
  filtered: boolean;
}

/**
 * The runs, newest first: a header line and exactly `height` lines under it. The selected
 * run is marked with "›" and drawn inverse, so that it shows on any terminal.
 */
export function RunTable(props: RunTableProps) {
  const { runs, selectedId, height, width, now, paint } = props;
  const shown = runs.slice(0, height);
  const empty = props.filtered ? "  no runs match the filter (Esc clears it)" : "  no runs yet";

  const rows = shown.map((run) => runLine(run, now, width, paint, run.id === selectedId));
  const lines = [paint.bold(headerLine(width)), ...(rows.length > 0 ? rows : [paint.dim(empty)])];
  return <Lines lines={lines} height={height + 1} width={width} />;
}
