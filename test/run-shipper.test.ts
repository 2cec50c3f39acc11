import { describe, expect, test } from "bun:test";
import { MAX_BATCH_BYTES, type BatchLine, type PreparedBatch } from "../src/client/batches.ts";
import { Shipper } from "../src/cli/run/shipper.ts";

/** Waits, a millisecond at a time, for something the shipper does in the background. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await Bun.sleep(1);
}

const line = (n: number): BatchLine => ({ message: `line ${n}`, stream: "stdout" });

/** The messages of a batch, read back from its body as the daemon would. */
const messagesOf = (batch: PreparedBatch): string[] =>
  (JSON.parse(batch.body) as { messages: (string | { message: string })[] }).messages.map((m) =>
    typeof m === "string" ? m : m.message,
  );

/** A send that records each call and can be told to fail or to hold. */
function recorder() {
  const calls: { lines: string[]; key: string; bytes: number }[] = [];
  let failures = 0;
  let gate: Promise<void> | null = null;
  return {
    calls,
    failNext: (n: number) => (failures = n),
    hold: () => {
      let open!: () => void;
      gate = new Promise((resolve) => (open = resolve));
      return () => {
        gate = null;
        open();
      };
    },
    send: async (batch: PreparedBatch, key: string) => {
      calls.push({ lines: messagesOf(batch), key, bytes: Buffer.byteLength(batch.body) });
      if (gate) await gate;
      if (failures > 0) {
        failures--;
        throw new Error("daemon away");
      }
    },
  };
}

describe("Shipper", () => {
  test("ships every line in order; lines queued during a send go in the next batch", async () => {
    const sink = recorder();
    const shipper = new Shipper({ send: sink.send, onFailure: () => {} });
    const release = sink.hold();
    shipper.add(line(0));
    await until(() => sink.calls.length === 1);
    for (let i = 1; i <= 2500; i++) shipper.add(line(i));
    release();

    expect(await shipper.close(Date.now() + 5000)).toEqual({ sent: 2501, lost: 0 });
    expect(sink.calls.map((c) => c.lines.length)).toEqual([1, 1000, 1000, 500]);
    const all = sink.calls.flatMap((c) => c.lines);
    expect(all).toEqual(Array.from({ length: 2501 }, (_, i) => `line ${i}`));
  });

  test("held, it only queues lines; once released it sends them, in order", async () => {
    const sink = recorder();
    const shipper = new Shipper({ send: sink.send, onFailure: () => {}, held: true });
    for (let i = 0; i < 3; i++) shipper.add(line(i));
    await Bun.sleep(20);
    expect(sink.calls).toEqual([]);

    shipper.release();
    shipper.add(line(3));
    expect(await shipper.close(Date.now() + 5000)).toEqual({ sent: 4, lost: 0 });
    expect(sink.calls.flatMap((c) => c.lines)).toEqual(["line 0", "line 1", "line 2", "line 3"]);
  });

  test("lines added in one turn (a chunk of output) go in one batch", async () => {
    const sink = recorder();
    const shipper = new Shipper({ send: sink.send, onFailure: () => {} });
    for (let i = 0; i < 10; i++) shipper.add(line(i));
    await until(() => sink.calls.length === 1);
    for (let i = 10; i < 15; i++) shipper.add(line(i));

    expect(await shipper.close(Date.now() + 5000)).toEqual({ sent: 15, lost: 0 });
    expect(sink.calls.map((c) => c.lines.length)).toEqual([10, 5]);
  });

  test("fills a batch up to the daemon's 1 MiB body limit, counting its bytes exactly", async () => {
    const sink = recorder();
    const shipper = new Shipper({ send: sink.send, onFailure: () => {} });
    const release = sink.hold();
    // 10 KB of UTF-8 each, and 6 bytes of JSON for every 1-byte control character.
    for (let i = 0; i < 200; i++) shipper.add({ message: "é".repeat(5000), stream: "stderr" });
    for (let i = 0; i < 40; i++) shipper.add({ message: "\u0001".repeat(16_000), stream: null });
    release();
    await shipper.close(Date.now() + 5000);

    expect(sink.calls.flatMap((c) => c.lines).length).toBe(240);
    expect(sink.calls.every((c) => c.bytes <= MAX_BATCH_BYTES)).toBe(true);
    // Full batches, not a cautious fraction of the limit: within a line of it, but the first
    // (sent at once, alone) and the last.
    const full = sink.calls.slice(1, -1).map((c) => c.bytes);
    expect(full.length).toBeGreaterThan(3);
    expect(full.every((bytes) => bytes > MAX_BATCH_BYTES - 100_000)).toBe(true);
  });

  test("sends a failed batch again, the same lines under the same key", async () => {
    const sink = recorder();
    const failures: unknown[] = [];
    const shipper = new Shipper({
      send: sink.send,
      onFailure: (e) => failures.push(e),
      retryPauseMs: 1,
    });
    sink.failNext(2);
    const release = sink.hold();
    shipper.add(line(1));
    await until(() => sink.calls.length === 1);
    shipper.add(line(2)); // queued behind the first batch, so not part of it
    release();
    await until(() => sink.calls.length === 4);

    expect(await shipper.close(Date.now() + 5000)).toEqual({ sent: 2, lost: 0 });
    expect(failures.length).toBe(2);
    expect(sink.calls.map((c) => c.lines)).toEqual([
      ["line 1"],
      ["line 1"],
      ["line 1"],
      ["line 2"],
    ]);
    expect(sink.calls[0]!.key).toBe(sink.calls[2]!.key);
    expect(sink.calls[3]!.key).not.toBe(sink.calls[0]!.key);
    expect(shipper.isHealthy).toBe(true);
  });

  test("at close, gives up after one more failed try and counts what was not sent", async () => {
    const sink = recorder();
    const shipper = new Shipper({ send: sink.send, onFailure: () => {}, retryPauseMs: 60_000 });
    sink.failNext(100);
    for (let i = 0; i < 5; i++) shipper.add(line(i));
    await until(() => !shipper.isHealthy); // the first try failed; it now pauses for a minute

    const started = Date.now();
    expect(await shipper.close(Date.now() + 30_000)).toEqual({ sent: 0, lost: 5 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(sink.calls.length).toBe(2);
    expect(shipper.isHealthy).toBe(false);
  });

  test("at close, stops waiting at the deadline", async () => {
    const sink = recorder();
    const shipper = new Shipper({ send: sink.send, onFailure: () => {} });
    sink.hold(); // never answers
    shipper.add(line(1));
    expect(await shipper.close(Date.now() + 50)).toEqual({ sent: 0, lost: 1 });
  });

  test("abandon stops a close that is still sending", async () => {
    const sink = recorder();
    const shipper = new Shipper({ send: sink.send, onFailure: () => {} });
    sink.hold(); // the daemon never answers
    shipper.add(line(1));
    const closing = shipper.close(Date.now() + 60_000);
    shipper.abandon();
    expect(await closing).toEqual({ sent: 0, lost: 1 });
  });

  test("drops and counts lines beyond the memory bound instead of waiting, and says so once", async () => {
    const sink = recorder();
    let overflows = 0;
    const shipper = new Shipper({
      send: sink.send,
      onFailure: () => {},
      onOverflow: () => overflows++,
      maxPendingBytes: 1000,
    });
    const release = sink.hold();
    for (let i = 0; i < 100; i++) shipper.add(line(i)); // each costs ~80 estimated bytes
    release();
    const report = await shipper.close(Date.now() + 5000);
    expect(report.sent + report.lost).toBe(100);
    expect(report.lost).toBeGreaterThan(80);
    expect(overflows).toBe(1);
    expect(sink.calls.flatMap((c) => c.lines).slice(0, 3)).toEqual(["line 0", "line 1", "line 2"]);
  });
});
