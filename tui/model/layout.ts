/** The smallest terminal the UI draws in; below it, it says so instead. */
export const MIN_COLUMNS = 80;
export const MIN_ROWS = 24;

/** Lines of the detail view above its log: the run's fields, then the log's title. */
export const DETAIL_FIELD_LINES = 7;

/** How many lines each part of the screen gets, for a terminal of a given size. */
export interface WatchLayout {
  columns: number;
  rows: number;
  tooSmall: boolean;
  /** Rows of runs in the table (its header line not counted). */
  tableRows: number;
  /** Lines of the event pane under the table (its title not counted). */
  eventRows: number;
  /** Lines of the event log in the detail view. */
  logRows: number;
}

/**
 * Splits the screen: a two-line header and a one-line footer, then the table (its header line
 * and a bit more than half of the rest) over the event pane (a title line and the rest). Every
 * line is accounted for, so a frame is exactly `rows` lines and never scrolls the terminal.
 */
export function layoutFor(columns: number, rows: number): WatchLayout {
  const tooSmall = columns < MIN_COLUMNS || rows < MIN_ROWS;
  const body = Math.max(0, rows - 2 - 1 - 1 - 1);
  const tableRows = Math.max(1, Math.ceil(body * 0.55));
  return {
    columns,
    rows,
    tooSmall,
    tableRows,
    eventRows: Math.max(1, body - tableRows),
    logRows: Math.max(1, rows - 2 - 1 - DETAIL_FIELD_LINES - 1),
  };
}
