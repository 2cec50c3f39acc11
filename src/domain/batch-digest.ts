import { createHash } from "node:crypto";
import type { EventStream } from "./run.ts";

/**
 * SHA-256 of a batch's lines as sent (before truncation), each message with its stream: what
 * an idempotency key is checked against, so that a key reused for other lines is refused
 * instead of silently answering for the first batch. `"a"` and `{"message": "a"}` are the
 * same line. Each line is hashed as its JSON, one a row, so no two batches share an input.
 */
export function batchDigest(
  lines: readonly { message: string; stream?: EventStream | null | undefined }[],
): Uint8Array {
  const hash = createHash("sha256");
  for (const line of lines) hash.update(`${JSON.stringify([line.message, line.stream ?? null])}\n`);
  return hash.digest();
}

/** Whether two digests are the same bytes. */
export function sameDigest(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.from(a).equals(Buffer.from(b));
}
