import { expect, test } from "bun:test";
import { MESSAGE_LIMIT_BYTES, splitMessage, truncateMessage } from "../src/domain/message.ts";

const byteLength = (text: string) => new TextEncoder().encode(text).length;

test("a message within 16 KiB is kept whole", () => {
  const text = "x".repeat(MESSAGE_LIMIT_BYTES);
  expect(truncateMessage(text)).toEqual({ message: text, truncated: false });
});

test("a longer message is cut at 16 KiB and flagged", () => {
  const cut = truncateMessage("y".repeat(MESSAGE_LIMIT_BYTES + 1));
  expect(cut.truncated).toBe(true);
  expect(byteLength(cut.message)).toBe(MESSAGE_LIMIT_BYTES);
});

test("truncation never splits a multi-byte character", () => {
  const cut = truncateMessage("€".repeat(10_000)); // 3 bytes each
  expect(cut.truncated).toBe(true);
  expect(cut.message).not.toContain("\uFFFD");
  expect(byteLength(cut.message)).toBeLessThanOrEqual(MESSAGE_LIMIT_BYTES);
  expect(cut.message.length).toBe(Math.floor(MESSAGE_LIMIT_BYTES / 3));
});

test("splitting keeps every character", () => {
  const text = "ab€😀".repeat(6000);
  const pieces = splitMessage(text);
  expect(pieces.length).toBeGreaterThan(1);
  expect(pieces.join("")).toBe(text);
  for (const piece of pieces) expect(byteLength(piece)).toBeLessThanOrEqual(MESSAGE_LIMIT_BYTES);
});
