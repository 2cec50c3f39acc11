import { describe, expect, test } from "bun:test";
import { MESSAGE_LIMIT_BYTES } from "../src/domain/message.ts";
import { LineSplitter } from "../src/cli/run/line-splitter.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

function splitAll(chunks: Uint8Array[]): string[] {
  const lines: string[] = [];
  const splitter = new LineSplitter((line) => lines.push(line));
  for (const chunk of chunks) splitter.push(chunk);
  splitter.end();
  return lines;
}

/** Every way of cutting `data` in two, and byte by byte. */
function cuts(data: Uint8Array): Uint8Array[][] {
  const ways = [[data], Array.from(data, (b) => Uint8Array.of(b))];
  for (let i = 1; i < data.length; i++) ways.push([data.subarray(0, i), data.subarray(i)]);
  return ways;
}

describe("LineSplitter", () => {
  test("gives one line per newline whatever the chunk boundaries, multi-byte text too", () => {
    const data = bytes("héllo wörld\n日本語\n\n🎉 done\nlast without newline");
    for (const chunks of cuts(data)) {
      expect(splitAll(chunks)).toEqual([
        "héllo wörld",
        "日本語",
        "",
        "🎉 done",
        "last without newline",
      ]);
    }
  });

  test("drops the carriage return of CRLF line ends only", () => {
    expect(splitAll([bytes("dos\r\nline\rinside\r\n")])).toEqual(["dos", "line\rinside"]);
  });

  test("turns bytes that are not UTF-8 into U+FFFD in the line", () => {
    expect(splitAll([Uint8Array.of(0x61, 0xff, 0x62, 0x0a)])).toEqual(["a\uFFFDb"]);
  });

  test("splits a line over 16 KiB into pieces that join back to it", () => {
    const long = "ü".repeat(20_000); // 40,000 bytes
    const lines = splitAll([bytes(`${long}\nshort\n`)]);
    expect(lines.length).toBe(4);
    expect(lines.slice(0, 3).join("")).toBe(long);
    for (const piece of lines.slice(0, 3)) {
      expect(bytes(piece).length).toBeLessThanOrEqual(MESSAGE_LIMIT_BYTES);
    }
    expect(lines[3]).toBe("short");
  });

  test("emits full pieces of an endless line as they arrive, before any newline", () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    const chunk = bytes("x".repeat(4096));
    for (let i = 0; i < 10; i++) splitter.push(chunk);

    expect(lines.length).toBe(2);
    expect(lines.every((l) => l.length === MESSAGE_LIMIT_BYTES)).toBe(true);
    splitter.end();
    expect(lines.join("").length).toBe(40_960);
  });
});
