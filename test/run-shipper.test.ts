import { describe, expect, test } from "bun:test";
import type { BatchLine } from "../src/client/batches.ts";
import { Shipper } from "../src/cli/run/shipper.ts";

/** Waits, a millisecond at a time, for something the shipper does in the background. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await Bun.sleep(1);
}

const line = (n: number): BatchLine => ({ message: `line ${n}`, stream: "stdout" });

/** A send that records each call and can be told to fail or to hold. */
function recorder() {
  const calls: { lines: string[]; key: string }[] = [];
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
    send: async (lines: BatchLine[], key: string) => {
      calls.push({ lines: lines.map((l) => l.message), key });
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
    for (let i = 1; i <= 2500; i++) shipper.add(line(i));
    release();

    expect(await shipper.close(Date.now() + 5000)).toEqual({ sent: 2501, lost: 0 });
    expect(sink.calls.map((c) => c.lines.length)).toEqual([1, 1000, 1000, 500]);
    const all = sink.calls.flatMap((c) => c.lines);
    expect(all).toEqual(Array.from({ length: 2501 }, (_, i) => `line ${i}`));
  });

  test("keeps a batch under ~400 KiB however few lines it has", async () => {
    const sink = recorder();
    const shipper = new Shipper({ send: sink.send, onFailure: () => {} });
    const release = sink.hold();
    for (let i = 0; i < 60; i++) shipper.add({ message: "z".repeat(16_000), stream: null });
    release();
    await shipper.close(Date.now() + 5000);
    expect(sink.calls.every((c) => c.lines.length <= 8)).toBe(true);
    expect(sink.calls.flatMap((c) => c.lines).length).toBe(60);
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

  test("drops and counts lines beyond the memory bound instead of waiting", async () => {
    const sink = recorder();
    const shipper = new Shipper({ send: sink.send, onFailure: () => {}, maxPendingBytes: 1000 });
    const release = sink.hold();
    for (let i = 0; i < 100; i++) shipper.add(line(i)); // each costs ~60 estimated bytes
    release();
    const report = await shipper.close(Date.now() + 5000);
    expect(report.sent + report.lost).toBe(100);
    expect(report.lost).toBeGreaterThan(80);
    expect(sink.calls.flatMap((c) => c.lines).slice(0, 3)).toEqual(["line 0", "line 1", "line 2"]);
  });
});
