import type { StatusCounts } from "../data/status-counts.ts";
import type { Painter } from "../format/paint.ts";
import { oneLine } from "../../src/text/terminal-safe.ts";
import { styleOf } from "../format/status-style.ts";
import { Lines } from "./Lines.tsx";

export interface HeaderProps {
  path: string;
  counts: StatusCounts;
  window: string;
  ratePerMinute: number;
  /** Short states worth a glance ("follow", "filter: …", an error); drawn right of the path. */
  badges: string[];
  width: number;
  paint: Painter;
}

/**
 * Two lines: the database and the badges, then the runs per status over the window and the
 * event rate. The counts drop their words (keeping symbols) when the terminal is too narrow
 * for them; the help view has the legend.
 */
export function Header({ path, counts, window, ratePerMinute, badges, width, paint }: HeaderProps) {
  const title = `${paint.bold("StatusBox")} ${oneLine(path)}`;
  const right = badges.join("  ");
  const gap = Math.max(1, width - Bun.stringWidth(title) - Bun.stringWidth(right));
  const first =
    Bun.stringWidth(title) + 1 + Bun.stringWidth(right) <= width
      ? title + " ".repeat(gap) + right
      : `${right}  ${title}`;

  const second = countsLine(counts, window, ratePerMinute, width, paint);
  return <Lines lines={[first, second]} height={2} width={width} />;
}

export function countsLine(
  counts: StatusCounts,
  window: string,
  ratePerMinute: number,
  width: number,
  paint: Painter,
): string {
  const rate = `${ratePerMinute} events/min`;
  const entry = (status: string, count: number, long: boolean) => {
    const style = styleOf(status);
    const text = long ? `${style.symbol} ${style.label} ${count}` : `${style.symbol}${count}`;
    return paint.color(text, style.color);
  };
  for (const long of [true, false]) {
    const parts = counts.map(({ status, count }) => entry(status, count, long));
    const line = `${window.padEnd(3)}  ${parts.join("  ")}  │ ${rate}`;
    if (Bun.stringWidth(line) <= width || !long) return line;
  }
  return "";
}
