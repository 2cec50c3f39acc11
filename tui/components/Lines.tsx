import { Text } from "ink";
import { fit } from "../format/fit.ts";

/**
 * A block of exactly `height` screen lines, each fitted to exactly `width` columns: missing
 * lines are blank, extra ones dropped. Every part of the UI is drawn with these, so a frame
 * has exactly the lines the layout counted and never scrolls the terminal.
 *
 * One Text for the whole block, not one per line: Ink lays out and diffs per node, and a
 * screen of single-line nodes made the once-a-second redraw cost several times more CPU.
 */
export function Lines({
  lines,
  height,
  width,
}: {
  lines: string[];
  height: number;
  width: number;
}) {
  if (height <= 0) return null;
  const shown = Array.from({ length: height }, (_, i) => fit(lines[i] ?? "", width));
  return <Text wrap="truncate-end">{shown.join("\n")}</Text>;
}
