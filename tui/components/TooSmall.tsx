import { MIN_COLUMNS, MIN_ROWS } from "../model/layout.ts";
import { Lines } from "./Lines.tsx";

/** In place of the UI when the terminal is below 80×24; q still quits. */
export function TooSmall({ columns, rows }: { columns: number; rows: number }) {
  const lines = [
    `Terminal too small: ${columns}×${rows}.`,
    `statusbox watch needs at least ${MIN_COLUMNS}×${MIN_ROWS}.`,
    "Enlarge it, or press q to quit.",
  ];
  return <Lines lines={lines} height={Math.max(1, rows)} width={Math.max(1, columns)} />;
}
