import type { Painter } from "../format/paint.ts";
import { oneLine } from "../../src/text/terminal-safe.ts";
import type { WatchView } from "../model/ui-state.ts";
import { Lines } from "./Lines.tsx";

export interface FooterProps {
  view: WatchView;
  editing: boolean;
  filterText: string;
  width: number;
  paint: Painter;
}

const TABLE_KEYS =
  "↑↓jk move  ⏎ open  n names  / name  s status  w window  f follow  ? help  q quit";
const NAMES_KEYS = "↑↓jk move  gG ends  ⏎ runs of the name  n or Esc runs  ? help  q quit";
const DETAIL_KEYS = "↑↓/jk scroll  PgUp/PgDn page  g/G start/end  Esc back  ? help  q quit";

/** The keys that work now; while a name filter is typed, the filter and how to end it. */
export function Footer({ view, editing, filterText, width, paint }: FooterProps) {
  if (editing) {
    const text = `name filter: ${oneLine(filterText)}▏   ⏎ keep   Esc clear`;
    return <Lines lines={[paint.inverse(text.padEnd(width))]} height={1} width={width} />;
  }
  const keys = paint.dim(
    view === "detail" ? DETAIL_KEYS : view === "names" ? NAMES_KEYS : TABLE_KEYS,
  );
  return <Lines lines={[keys]} height={1} width={width} />;
}
