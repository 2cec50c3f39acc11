import { describe, expect, test } from "bun:test";
import type { WriteCommitter } from "../src/domain/ports.ts";
import { DEFAULT_POLICY } from "../src/retention/policy.ts";
import { Pruner } from "../src/retention/pruner.ts";
import { alertKit, type AlertKit } from "./helpers/alerts-kit.ts";
import { startReceiver } from "./helpers/http-receiver.ts";

const HOUR = 3_600_000;

const alertRows = (kit: AlertKit) => kit.outbox().length + kit.attempts().length;

/** A pruner on the kit's database and clock; `removed` has the alert rows each write removed. */
function prunerOf(kit: AlertKit, days: number, batchRows?: number) {
  const removed: number[] = [];
  const writes: WriteCommitter = {
    submit: (op) =>
      kit.writes.submit(() => {
        const before = alertRows(kit);
        const value = op();
        removed.push(before - alertRows(kit));
        return value;
      }),
  };
  const policy = { ...DEFAULT_POLICY, days };
  const pruner = new Pruner({ db: kit.db, writes, clock: kit.clock, policy, batchRows });
  return { pruner, removed };
}

describe("retention of alerts", () => {
  test("removes settled alerts older than the retention with their attempts, never a pending one", async () => {
    const receiver = startReceiver();
    receiver.answer((request) => {
      if (request.body.includes('"name":"refused"')) return { status: 403 };
      if (request.body.includes('"name":"waiting"')) return { status: 503 };
      return { status: 200 };
    });
    const kit = alertKit([{ name: "hook", type: "webhook", url: receiver.url }]);
    try {
      await kit.finish("delivered", "fail", 0);
      await kit.finish("refused", "fail", 0);
      await kit.finish("waiting", "fail", 0);
      await kit.dispatcher.step();
      kit.clock.advance(20 * HOUR);
      await kit.finish("recent", "fail", 0);
      await kit.dispatcher.step(); // delivers "recent", tries "waiting" again
      kit.clock.advance(3 * HOUR);

      // 12 hours: the first two settled 23 hours ago; "waiting" is older still but pending,
      // within its 24 hours of retries.
      const report = await prunerOf(kit, 0.5).pruner.prune();

      expect(report).toMatchObject({ alertsDeleted: 2, alertAttemptsDeleted: 2 });
      const left = kit.outbox().map((a) => [a.payload.run.name, a.state]);
      expect(left).toEqual([
        ["waiting", "pending"],
        ["recent", "delivered"],
      ]);
      const ids = new Set(kit.outbox().map((a) => a.id));
      expect(kit.attempts().every((a) => ids.has(a.outbox_id))).toBe(true);
      expect(kit.attempts().length).toBe(3); // two for "waiting", one for "recent"
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("works in small batches, each its own write, until nothing old is left", async () => {
    const receiver = startReceiver();
    let calls = 0;
    receiver.answer(() => ({ status: ++calls % 2 === 1 ? 500 : 200 }));
    const kit = alertKit([{ name: "hook", type: "webhook", url: receiver.url }]);
    try {
      for (let i = 0; i < 30; i++) await kit.finish(`job-${i}`, "fail", 0);
      // Each alert fails once, then is delivered: two attempts apiece.
      while (kit.outbox().some((a) => a.state === "pending")) {
        await kit.dispatcher.step();
        kit.clock.advance(1000);
      }
      expect(kit.attempts().length).toBe(60);
      kit.clock.advance(2 * 24 * HOUR);

      const { pruner, removed } = prunerOf(kit, 1, 10);
      const report = await pruner.prune();

      expect(report).toMatchObject({ alertsDeleted: 30, alertAttemptsDeleted: 60 });
      expect(kit.outbox()).toEqual([]);
      expect(kit.attempts()).toEqual([]);
      const alertWrites = removed.filter((n) => n > 0);
      expect(Math.max(...alertWrites)).toBeLessThanOrEqual(10);
      expect(alertWrites.length).toBeGreaterThanOrEqual(9); // 90 rows, at most 10 a write
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });
});
