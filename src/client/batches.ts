import { splitMessage } from "../domain/message.ts";
import type { EventStream, LogItem } from "./types.ts";

/** The most items the daemon takes in one `POST /api/jobs/:id/events`. */
export const MAX_BATCH_ITEMS = 1000;

/**
 * The most bytes of one batch's JSON body, counted exactly (UTF-8, escaping included). The
 * daemon refuses bodies over 1 MiB; the margin keeps a rounding slip from costing a batch.
 */
export const MAX_BATCH_BYTES = 1000 * 1024;

export interface BatchLine {
  message: string;
  stream: EventStream | null;
}

/** A batch serialised once, so that a retry sends the very same bytes. */
export interface PreparedBatch {
  /** The JSON body: `{"messages":[...]}`. */
  body: string;
  /** How many lines it holds. */
  count: number;
}

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

const HEAD = '{"messages":[';
const TAIL = "]}";

/**
 * The next batch of `lines` from index `from` (before `to`): as many as fit in
 * MAX_BATCH_ITEMS and MAX_BATCH_BYTES, at least one. Each line must already be within the
 * 16 KiB message limit (`toLines`), so that one always fits. Lines without a stream go as
 * bare strings, to keep bodies small.
 */
export function prepareBatch(
  lines: readonly BatchLine[],
  from = 0,
  to = lines.length,
): PreparedBatch {
  const items: string[] = [];
  let bytes = HEAD.length + TAIL.length;
  for (let i = from; i < to && items.length < MAX_BATCH_ITEMS; i++) {
    const line = lines[i]!;
    const message = JSON.stringify(line.message);
    const item =
      line.stream === null ? message : `{"message":${message},"stream":"${line.stream}"}`;
    const size = Buffer.byteLength(item) + 1; // and its comma
    if (items.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
    items.push(item);
    bytes += size;
  }
  return { body: HEAD + items.join(",") + TAIL, count: items.length };
}
