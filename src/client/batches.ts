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
const FRAMING = HEAD.length + TAIL.length;

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
  // A UTF-16 unit is at most 3 bytes of UTF-8, so bytes are counted only once that bound
  // nears the limit: counting costs a native call per line, as much as serialising it.
  let units = FRAMING;
  let bytes = -1;
  for (let i = from; i < to && items.length < MAX_BATCH_ITEMS; i++) {
    const item = itemOf(lines[i]!);
    if (bytes < 0 && (units + item.length + 1) * 3 > MAX_BATCH_BYTES) {
      bytes = FRAMING + items.length + Buffer.byteLength(items.join(""));
    }
    if (bytes >= 0) {
      const size = Buffer.byteLength(item) + 1; // and its comma
      if (items.length > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size;
    }
    items.push(item);
    units += item.length + 1;
  }
  return { body: HEAD + items.join(",") + TAIL, count: items.length };
}

function itemOf(line: BatchLine): string {
  const message = JSON.stringify(line.message);
  return line.stream === null ? message : `{"message":${message},"stream":"${line.stream}"}`;
}
