import { Text } from "ink";
import type { Painter } from "../format/paint.ts";
import { paintStatus } from "../format/status-style.ts";

/** A status as a symbol and a word, coloured when colours are on: "✗ failed". */
export function StatusBadge({ status, paint }: { status: string; paint: Painter }) {
  return <Text>{paintStatus(status, paint)}</Text>;
}
