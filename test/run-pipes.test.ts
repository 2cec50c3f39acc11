import { describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { copyOutput } from "../src/cli/run/pipes.ts";

/** A stream that yields `chunks` one by one, then ends. */
function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
  });
}

describe("copyOutput", () => {
  test("a chunk reaches the terminal before its lines are handed to the shipper", async () => {
    const seen: string[] = [];
    const terminal = new Writable({
      write(chunk: Buffer, _encoding, done) {
        seen.push(`terminal ${JSON.stringify(chunk.toString())}`);
        done();
      },
    });
    const onLine = (line: string) => seen.push(`line ${line}`);

    await copyOutput(streamOf(["a\nb\n", "c\n"]), terminal, onLine, new Promise(() => {}));

    expect(seen).toEqual(['terminal "a\\nb\\n"', "line a", "line b", 'terminal "c\\n"', "line c"]);
  });
});
