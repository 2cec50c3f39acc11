import type { WatchRun } from "../data/rows.ts";
import { NEWEST, OLDEST, type RunFilter, type RunPager } from "../data/run-pager.ts";

/**
 * Where the table is: `anchor` is the id of its top row (null: the newest run, so new runs
 * appear at the top) and `selectedId` the run the cursor is on.
 */
export interface TablePosition {
  anchor: number | null;
  selectedId: number | null;
}

/** One screen of the table: the rows shown, and whether older ones exist below. */
export interface TablePage {
  rows: WatchRun[];
  hasOlder: boolean;
}

export type TableMove = "up" | "down" | "pageUp" | "pageDown" | "top" | "bottom";

/** Reads the page a position shows: `size` rows from the anchor down, and one more to peek. */
export function readPage(
  pager: RunPager,
  filter: RunFilter,
  anchor: number | null,
  size: number,
): TablePage {
  const seek = anchor === null ? NEWEST : { direction: "older" as const, before: anchor + 1 };
  const rows = pager.seek(filter, seek, size + 1);
  return { rows: rows.slice(0, size), hasOlder: rows.length > size };
}

/**
 * Moves the cursor and answers the new position. Each move reads at most one page through
 * the pager (keyset queries), so moving near the millionth run is as quick as near the first.
 */
export function moveTable(
  pager: RunPager,
  filter: RunFilter,
  position: TablePosition,
  page: TablePage,
  size: number,
  move: TableMove,
): TablePosition {
  const { rows } = page;
  const index = Math.max(
    0,
    rows.findIndex((run) => run.id === position.selectedId),
  );
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) return { anchor: null, selectedId: null };

  switch (move) {
    case "down": {
      if (index + 1 < rows.length) return { ...position, selectedId: rows[index + 1]!.id };
      const next = pager.seek(filter, { direction: "older", before: last.id }, 1)[0];
      if (!next) return position;
      return { anchor: rows[1]?.id ?? next.id, selectedId: next.id };
    }
    case "up": {
      if (index > 0) return { ...position, selectedId: rows[index - 1]!.id };
      const previous = pager.seek(filter, { direction: "newer", after: first.id }, 1)[0];
      if (!previous) return position;
      return { anchor: anchorAt(pager, filter, previous.id), selectedId: previous.id };
    }
    case "pageDown": {
      if (!page.hasOlder) return { ...position, selectedId: last.id };
      const older = pager.seek(filter, { direction: "older", before: last.id }, size);
      // With less than a page of older runs left, the page ends at the oldest, full, as
      // `bottom` shows it; the cursor still goes a page further, or to the oldest run.
      const runs = [...rows, ...older];
      const top = runs[Math.max(0, runs.length - size)]!;
      const target = runs[Math.min(index + size, runs.length - 1)]!;
      return { anchor: top.id, selectedId: target.id };
    }
    case "pageUp": {
      const newer = pager.seek(filter, { direction: "newer", after: first.id }, size);
      if (newer.length === 0) return { ...position, selectedId: first.id };
      const top = newer[newer.length - 1]!;
      const shown = [...newer.reverse(), ...rows].slice(0, size);
      const target = shown[Math.min(index, shown.length - 1)] ?? top;
      return { anchor: anchorAt(pager, filter, top.id), selectedId: target.id };
    }
    case "top": {
      const newest = pager.seek(filter, NEWEST, 1)[0];
      return { anchor: null, selectedId: newest?.id ?? null };
    }
    case "bottom": {
      const oldest = pager.seek(filter, OLDEST, size);
      const top = oldest[oldest.length - 1];
      if (!top) return { anchor: null, selectedId: null };
      return { anchor: anchorAt(pager, filter, top.id), selectedId: oldest[0]!.id };
    }
  }
}

/** The anchor for a page whose top row is `id`: null when that is the newest run. */
function anchorAt(pager: RunPager, filter: RunFilter, id: number): number | null {
  const newer = pager.seek(filter, { direction: "newer", after: id }, 1);
  return newer.length === 0 ? null : id;
}

/**
 * Keeps a position valid after the data or the filter changed: the selected run stays
 * selected when it is still listed, even when new runs push it down (the anchor is then
 * pinned so that it stays on screen); otherwise the cursor stays at the same row index.
 * With `follow`, the newest run is selected and the table shows the top.
 */
export function settle(
  pager: RunPager,
  filter: RunFilter,
  position: TablePosition,
  previousIndex: number,
  size: number,
  follow: boolean,
): { position: TablePosition; page: TablePage } {
  if (follow) {
    const page = readPage(pager, filter, null, size);
    return { position: { anchor: null, selectedId: page.rows[0]?.id ?? null }, page };
  }

  let anchor = position.anchor;
  let page = readPage(pager, filter, anchor, size);
  if (page.rows.length === 0 && anchor !== null) {
    anchor = null;
    page = readPage(pager, filter, null, size);
  }
  const { selectedId } = position;
  if (selectedId !== null && page.rows.some((run) => run.id === selectedId)) {
    return { position: { anchor, selectedId }, page };
  }

  // Pushed below the page by newer runs but still listed: pin the page to keep it in view.
  const last = page.rows[page.rows.length - 1];
  if (selectedId !== null && last && selectedId < last.id && isListed(pager, filter, selectedId)) {
    const above = pager.seek(filter, { direction: "newer", after: selectedId }, size - 1);
    anchor = above[above.length - 1]?.id ?? selectedId;
    page = readPage(pager, filter, anchor, size);
    return { position: { anchor, selectedId }, page };
  }

  const fallback = page.rows[Math.min(Math.max(0, previousIndex), page.rows.length - 1)];
  return { position: { anchor, selectedId: fallback?.id ?? null }, page };
}

function isListed(pager: RunPager, filter: RunFilter, id: number): boolean {
  return pager.seek(filter, { direction: "older", before: id + 1 }, 1)[0]?.id === id;
}
