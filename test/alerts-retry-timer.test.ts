import { describe, expect, test } from "bun:test";
import { systemClock } from "../src/domain/clock.ts";
import { alertKit } from "./helpers/alerts-kit.ts";
import { startReceiver } from "./helpers/http-receiver.ts";
import { waitFor } from "./helpers/wait-for.ts";

describe("the running dispatcher", () => {
  test("sends each retry when its backoff is due, not at a later poll", async () => {
    const receiver = startReceiver();
    const arrivals: number[] = [];
    receiver.answer(() => {
      arrivals.push(performance.now());
      return arrivals.length <= 2 ? { status: 503, body: "warming up" } : { status: 200 };
    });
    // The real clock drives the dispatcher's timer; the kit's runs are stamped "now" too.
    const kit = alertKit([{ name: "hook", type: "webhook", url: receiver.url }], {
      dispatcher: { clock: systemClock },
    });
    kit.clock.set(Date.now());
    try {
      kit.dispatcher.start();
      await kit.finish("backup", "fail", 0);
      await waitFor(() => kit.outbox()[0]?.state === "delivered", {
        what: "delivery after two failures",
        timeoutMs: 10_000,
      });

      const gaps = [arrivals[1]! - arrivals[0]!, arrivals[2]! - arrivals[1]!];
      const logged = kit.logLines
        .filter((line) => line.includes("will retry"))
        .map((line) => Number(/retry_in_ms[=":]+(\d+)/.exec(line)![1]));
      expect(logged).toEqual([1000, 2000]);
      // "First retry after about a second, doubling": no whole poll interval on top.
      expect(gaps[0]).toBeGreaterThanOrEqual(950);
      expect(gaps[0]).toBeLessThan(1500);
      expect(gaps[1]).toBeGreaterThanOrEqual(1950);
      expect(gaps[1]).toBeLessThan(2500);
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("a new alert queued while it sleeps until a retry is sent at once", async () => {
    const receiver = startReceiver();
    receiver.answer((request) =>
      request.body.includes('"name":"first"') ? { status: 503 } : { status: 200 },
    );
    const kit = alertKit([{ name: "hook", type: "webhook", url: receiver.url }], {
      dispatcher: { clock: systemClock, pollMs: 600_000 },
    });
    kit.clock.set(Date.now());
    try {
      kit.dispatcher.start();
      await kit.finish("first", "fail", 0);
      await waitFor(() => kit.attempts().length === 1, { what: "the first attempt" });

      const queued = performance.now();
      await kit.finish("second", "fail", 0);
      await waitFor(() => kit.outbox()[1]?.state === "delivered", { what: "the second alert" });
      expect(performance.now() - queued).toBeLessThan(500);
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });
});
