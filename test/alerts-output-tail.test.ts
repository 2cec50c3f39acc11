import { describe, expect, test } from "bun:test";
import { OutputTail, readTail } from "../src/alerts/channels/output-tail.ts";

const encoder = new TextEncoder();

describe("the tail kept of a command's output", () => {
  test("holds a bounded number of bytes however much is pushed, and the last of them", () => {
    const tail = new OutputTail(4096);
    const chunk = encoder.encode("a".repeat(65_536));
    let most = 0;
    for (let i = 0; i < 800; i++) {
      tail.push(chunk);
      most = Math.max(most, tail.size);
    }
    tail.push(encoder.encode("disk full\n"));

    expect(most).toBeLessThanOrEqual(2 * 4096);
    expect(tail.text()).toHaveLength(4096);
    expect(tail.text()).toEndWith("aaaa" + "disk full\n");
  });

  test("a character cut at the start of the tail is dropped, not shown broken", () => {
    const tail = new OutputTail(5);
    tail.push(encoder.encode("xé→end"));
    expect(tail.text()).toBe("end");
  });

  test("readTail drains a stream to its end, keeping only its tail", async () => {
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 50_000_000) return controller.close();
        controller.enqueue(encoder.encode("y".repeat(1_000_000)));
        sent += 1_000_000;
      },
    });
    const reader = readTail(stream, 4096);
    expect(await reader.settled(10_000)).toHaveLength(4096);
    expect(sent).toBe(50_000_000);
  });
});
