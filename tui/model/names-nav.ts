import type { TableMove } from "./table-nav.ts";

/**
 * Where the names view is: the name the cursor is on, its index in the list of names, and
 * the index of the top row. The name wins over the index when the list changes (a new name
 * sorted in above), so the cursor stays on the job it was on.
 */
export interface NamesPosition {
  name: string | null;
  index: number;
  top: number;
}

export const NAMES_START: NamesPosition = { name: null, index: 0, top: 0 };

/**
 * Moves the cursor over `names` in a view `height` rows high, keeping it on screen. The
 * list is in memory (names only; their figures are read for the rows shown), so every move
 * is arithmetic.
 */
export function moveNames(
  position: NamesPosition,
  move: TableMove,
  names: readonly string[],
  height: number,
): NamesPosition {
  const from = settleNames(position, names, height).index;
  const steps: Record<TableMove, number> = {
    up: from - 1,
    down: from + 1,
    pageUp: from - height,
    pageDown: from + height,
    top: 0,
    bottom: names.length - 1,
  };
  return settleNames({ ...position, name: null, index: steps[move] }, names, height);
}

/** Keeps a position inside the list, on its name if that is still there, and on screen. */
export function settleNames(
  position: NamesPosition,
  names: readonly string[],
  height: number,
): NamesPosition {
  const found = position.name === null ? -1 : names.indexOf(position.name);
  const wanted = found >= 0 ? found : position.index;
  const index = Math.min(Math.max(0, names.length - 1), Math.max(0, wanted));
  let top = Math.min(position.top, index);
  if (index >= top + height) top = index - height + 1;
  top = Math.max(0, Math.min(top, Math.max(0, names.length - height)));
  return { name: names[index] ?? null, index, top };
}
