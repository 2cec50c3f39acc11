import { describe, expect, test } from "bun:test";
import { failingChannels } from "../src/alerts/failing-channels.ts";
import { alertKit } from "./helpers/alerts-kit.ts";
import { closedPort, startReceiver } from "./helpers/http-receiver.ts";
import { waitFor } from "./helpers/wait-for.ts";

const hookAt = (url: string, extra: Record<string, unknown> = {}) => ({
  name: "hook",
  type: "webhook",
  url,
  ...extra,
});

describe("the dispatcher", () => {
  test("delivers a queued alert and records the attempt", async () => {
    const receiver = startReceiver();
    const kit = alertKit([hookAt(`${receiver.url}/hook`)]);
    try {
      await kit.finish("backup", "fail");
      expect(await kit.dispatcher.step()).toBe(1);

      expect(receiver.requests.length).toBe(1);
      expect(kit.outbox()[0]).toMatchObject({ state: "delivered", attempts: 1 });
      expect(kit.attempts()).toMatchObject([
        {
          channel: "hook",
          outcome: "delivered",
          status_code: 200,
          error: null,
          at: kit.clock.now(),
        },
      ]);
      expect(await kit.dispatcher.step()).toBe(0);
      expect(receiver.requests.length).toBe(1);
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("logs each attempt with outcome and duration, never the URL nor a secret", async () => {
    const receiver = startReceiver();
    receiver.answer(() => ({ status: 500, body: "oops" }));
    const url = `${receiver.url}/hooks/T0K3N-in-the-path`;
    const kit = alertKit([
      hookAt(url, { secret: "sh-h-secret", headers: { Authorization: "Bearer abc123" } }),
    ]);
    try {
      await kit.finish("backup", "fail");
      await kit.dispatcher.step();
      receiver.answer(() => ({ status: 200 }));
      kit.clock.advance(1000);
      await kit.dispatcher.step();

      const lines = kit.logLines.filter((line) => line.includes("alert"));
      expect(lines.length).toBe(2);
      expect(lines[0]).toMatch(
        /WARN .*alert delivery failed; will retry .*outcome=failed status=500 duration_ms=\d+/,
      );
      expect(lines[1]).toMatch(
        /INFO .*alert delivered channel=hook type=webhook run=1 name=backup .*duration_ms=\d+/,
      );
      for (const secret of ["T0K3N", "sh-h-secret", "abc123", receiver.url]) {
        expect(kit.logLines.join("")).not.toContain(secret);
      }
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("network errors never put the URL's secret path in the log or the database", async () => {
    const port = await closedPort();
    const kit = alertKit([hookAt(`http://127.0.0.1:${port}/services/T0K3N`)]);
    try {
      await kit.finish("backup", "fail");
      await kit.dispatcher.step();
      expect(kit.attempts()[0]!.error).not.toContain("T0K3N");
      expect(kit.logLines.join("")).not.toContain("T0K3N");
    } finally {
      await kit.close();
    }
  });

  test("alerts for a channel removed from the config fail permanently", async () => {
    const kit = alertKit([hookAt("http://127.0.0.1:9/")]);
    try {
      kit.store.insert({
        channel: "gone",
        runId: null,
        runName: "x",
        trigger: "failed",
        payload: "{}",
        createdAt: kit.clock.now(),
        idempotencyKey: "k-gone",
      });
      await kit.dispatcher.step();
      expect(kit.attempts()).toMatchObject([
        {
          channel: "gone",
          outcome: "permanent_failure",
          error: "channel 'gone' is no longer in the config file",
        },
      ]);
      // The channel is gone, not failing: the watch header's badge does not name it.
      expect(failingChannels(kit.db)).toEqual([]);
    } finally {
      await kit.close();
    }
  });

  test("failingChannels lists a channel from its first failure until it delivers", async () => {
    const receiver = startReceiver();
    receiver.answer(() => ({ status: 502, body: "bad gateway" }));
    const kit = alertKit([
      hookAt(receiver.url),
      hookAt(receiver.url, { name: "fine", jobs: ["none"] }),
    ]);
    try {
      expect(failingChannels(kit.db)).toEqual([]);
      await kit.finish("backup", "fail");
      const firstFailure = kit.clock.now();
      await kit.dispatcher.step();
      kit.clock.advance(1000);
      await kit.dispatcher.step();

      expect(failingChannels(kit.db)).toEqual([
        {
          channel: "hook",
          since: firstFailure,
          lastError: "HTTP 502: bad gateway",
          statusCode: 502,
          pending: 1,
        },
      ]);
      receiver.answer(() => ({ status: 200 }));
      kit.clock.advance(2000);
      await kit.dispatcher.step();
      expect(failingChannels(kit.db)).toEqual([]);
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("drains a backlog beyond its in-flight limit without waiting to poll", async () => {
    const receiver = startReceiver();
    let inFlight = 0;
    let most = 0;
    receiver.answer(async () => {
      most = Math.max(most, ++inFlight);
      await Bun.sleep(5);
      inFlight--;
      return { status: 200 };
    });
    const kit = alertKit([hookAt(receiver.url)], {
      dispatcher: { pollMs: 600_000, maxInFlight: 3 },
    });
    try {
      for (let i = 0; i < 20; i++) await kit.finish(`job-${i}`, "fail");
      kit.dispatcher.start();
      await waitFor(() => kit.outbox().every((a) => a.state === "delivered"), {
        what: "the backlog",
      });
      expect(receiver.requests.length).toBe(20);
      expect(most).toBeLessThanOrEqual(3);
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("channels that never answer hold 4 slots each; the others deliver at once", async () => {
    const stuck = startReceiver();
    stuck.answer(() => new Promise(() => {})); // never answers: only the 10 s limit ends it
    const good = startReceiver();
    // Five stuck channels: more than a shared pool of 16 slots could hold beside the good one.
    const stuckNames = ["stuck-a", "stuck-b", "stuck-c", "stuck-d", "stuck-e"];
    const kit = alertKit(
      [
        ...stuckNames.map((name) => hookAt(stuck.url, { name, jobs: ["stuck-*"] })),
        hookAt(good.url, { name: "good", jobs: ["good-*"] }),
      ],
      { dispatcher: { pollMs: 600_000 } },
    );
    try {
      // The stuck channels' 100 alerts are all due before the good channel's: the first due
      // alerts, however many are read, are all theirs.
      for (let i = 0; i < 20; i++) await kit.finish(`stuck-${i}`, "fail");
      for (let i = 0; i < 5; i++) await kit.finish(`good-${i}`, "fail");
      kit.dispatcher.start();

      await waitFor(() => good.requests.length === 5, {
        what: "the good channel's alerts",
        timeoutMs: 2000,
      });
      await waitFor(() => kit.outbox().filter((a) => a.state === "delivered").length === 5, {
        what: "the deliveries to be recorded",
        timeoutMs: 2000,
      });
      await waitFor(() => stuck.requests.length === 4 * stuckNames.length, {
        what: "four requests in flight on each stuck channel",
        timeoutMs: 2000,
      });
      await Bun.sleep(50);
      expect(stuck.requests.length).toBe(4 * stuckNames.length);
      const stuckStates = kit
        .outbox()
        .filter((a) => a.channel.startsWith("stuck"))
        .map((a) => a.state);
      expect(stuckStates).toEqual(Array(100).fill("pending"));
    } finally {
      await kit.close();
      await stuck.stop();
      await good.stop();
    }
  });

  test("an outbox that cannot be read is retried with backoff and logged once, not every second", async () => {
    const kit = alertKit([hookAt("http://127.0.0.1:9/")], { dispatcher: { pollMs: 600_000 } });
    const due = kit.store.due.bind(kit.store);
    let reads = 0;
    kit.store.due = () => {
      reads++;
      throw Object.assign(new Error("database disk image is malformed"), {
        code: "SQLITE_CORRUPT",
      });
    };
    const errors = () => kit.logLines.filter((line) => line.includes("could not read the alerts"));
    try {
      kit.dispatcher.start();
      // New alerts wake the dispatcher; while reads fail, a wake waits for the backoff too.
      for (let i = 0; i < 30; i++) {
        kit.dispatcher.wake();
        await Bun.sleep(10);
      }
      expect(reads).toBe(1);
      await waitFor(() => reads === 2, { what: "the retry after 1 s", timeoutMs: 3000 });
      expect(errors()).toHaveLength(1);
      expect(errors()[0]).toContain("failuresInARow=1");

      kit.store.due = due;
      await waitFor(() => kit.logLines.some((line) => line.includes("reads again")), {
        what: "the next retry, 2 s after the second failure",
        timeoutMs: 4000,
      });
      expect(reads).toBe(2);
      expect(errors()).toHaveLength(1);
    } finally {
      await kit.close();
    }
  });

  test("a new alert wakes a running dispatcher at once", async () => {
    const receiver = startReceiver();
    const kit = alertKit([hookAt(receiver.url)], { dispatcher: { pollMs: 600_000 } });
    try {
      kit.dispatcher.start();
      await kit.finish("backup", "fail");
      await waitFor(() => receiver.requests.length === 1, { what: "the alert" });
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("stop aborts a delivery in flight unrecorded: the alert stays pending", async () => {
    const kit = alertKit([{ name: "slow", type: "command", command: ["sleep", "5"] }]);
    try {
      await kit.finish("backup", "fail");
      const step = kit.dispatcher.step();
      await Bun.sleep(50);
      await kit.dispatcher.stop();
      await step;
      expect(kit.attempts()).toEqual([]);
      expect(kit.outbox()[0]).toMatchObject({ state: "pending", attempts: 0 });
    } finally {
      await kit.close();
    }
  });
});
