import { splitMessage } from "../domain/message.ts";
import type { EventStream, LogItem } from "./types.ts";

/** The most items the daemon takes in one `POST /api/jobs/:id/events`. */
export const MAX_BATCH_ITEMS = 1000;

/**
 * The budget of one batch in estimated bytes. The estimate (3 bytes per UTF-16 unit) ignores
 * JSON escaping, which at worst doubles it, so a full batch stays under the 1 MiB body limit.
 */
export const MAX_BATCH_BYTES = 400 * 1024;

export interface BatchLine {
  message: string;
  stream: EventStream | null;
}

/** What one line costs against `MAX_BATCH_BYTES`: an upper bound of its UTF-8, plus framing. */
export const lineCost = (line: BatchLine): number => line.message.length * 3 + 40;

/**
 * Normalises items to lines and splits every message longer than the daemon's 16 KiB limit
 * into consecutive pieces, so that nothing is cut off on the way in.
 */
export function toLines(items: LogItem[]): BatchLine[] {
  const lines: BatchLine[] = [];
  for (const item of items) {
    const message = typeof item === "string" ? item : item.message;
    const stream = typeof item === "string" ? null : (item.stream ?? null);
    for (const piece of splitMessage(message)) lines.push({ message: piece, stream });
  }
  return lines;
}

/** Cuts lines into batches the daemon accepts: at most 1000 items and ~400 KiB each. */
export function toBatches(lines: BatchLine[]): BatchLine[][] {
  const batches: BatchLine[][] = [];
  let current: BatchLine[] = [];
  let bytes = 0;
  for (const line of lines) {
    const cost = lineCost(line);
    if (
      current.length === MAX_BATCH_ITEMS ||
      (current.length > 0 && bytes + cost > MAX_BATCH_BYTES)
    ) {
      batches.push(current);
      current = [];
      bytes = 0;
    }
    current.push(line);
    bytes += cost;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** The JSON of a batch: bare strings where there is no stream, to keep bodies small. */
export const batchBody = (lines: BatchLine[]) => ({
  messages: lines.map((l) =>
    l.stream === null ? l.message : { message: l.message, stream: l.stream },
  ),
});
