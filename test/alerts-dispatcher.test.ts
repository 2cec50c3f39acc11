import { describe, expect, test } from "bun:test";
import { GIVE_UP_AFTER_MS, MAX_RETRY_MS, retryDelay } from "../src/alerts/backoff.ts";
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

  test("retries after 1s, 2s, 4s ... doubling up to 5 minutes, never before due", async () => {
    const receiver = startReceiver();
    receiver.answer(() => ({ status: 503, body: "maintenance" }));
    const kit = alertKit([hookAt(receiver.url)]);
    try {
      await kit.finish("backup", "fail");
      const gaps: number[] = [];
      for (let i = 0; i < 12; i++) {
        expect(await kit.dispatcher.step()).toBe(1);
        const { next_attempt_at } = kit.outbox()[0]!;
        gaps.push(next_attempt_at - kit.clock.now());
        kit.clock.set(next_attempt_at - 1);
        expect(await kit.dispatcher.step()).toBe(0); // a millisecond early: nothing
        kit.clock.advance(1);
      }
      expect(gaps).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300].map((s) => s * 1000));
      expect(receiver.requests.length).toBe(12);
      expect(kit.attempts().every((a) => a.outcome === "failed" && a.status_code === 503)).toBe(
        true,
      );
      expect(kit.attempts()[0]!.error).toBe("HTTP 503: maintenance");
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("the retry delays get up to 10% of jitter", () => {
    expect(retryDelay(1, () => 0)).toBe(1000);
    expect(retryDelay(1, () => 0.999)).toBe(1100);
    expect(retryDelay(4, () => 0.5)).toBe(8400);
    expect(retryDelay(50, () => 0.999)).toBe(MAX_RETRY_MS);
  });

  test("gives up 24 hours after the alert was queued, and marks it failed", async () => {
    const port = await closedPort();
    const kit = alertKit([hookAt(`http://127.0.0.1:${port}/`)]);
    try {
      await kit.finish("backup", "fail");
      const queuedAt = kit.outbox()[0]!.created_at;
      for (let i = 0; i < 400 && kit.outbox()[0]!.state === "pending"; i++) {
        await kit.dispatcher.step();
        kit.clock.set(kit.outbox()[0]!.next_attempt_at);
      }
      const [alert] = kit.outbox();
      const attempts = kit.attempts();
      expect(alert!.state).toBe("failed");
      expect(attempts.length).toBe(alert!.attempts);
      expect(attempts.at(-1)!.at - queuedAt).toBeLessThanOrEqual(GIVE_UP_AFTER_MS);
      expect(attempts.at(-1)!.at - queuedAt).toBeGreaterThan(GIVE_UP_AFTER_MS - MAX_RETRY_MS);
      expect(attempts.every((a) => a.outcome === "failed" && a.status_code === null)).toBe(true);
      expect(kit.logLines.at(-1)).toContain("giving up");
      expect(await kit.dispatcher.step()).toBe(0);
    } finally {
      await kit.close();
    }
  });

  test("a 4xx answer is a permanent failure: recorded once, never retried", async () => {
    const receiver = startReceiver();
    receiver.answer(() => ({ status: 404, body: "no such hook" }));
    const kit = alertKit([hookAt(receiver.url)]);
    try {
      await kit.finish("backup", "fail");
      await kit.dispatcher.step();
      kit.clock.advance(GIVE_UP_AFTER_MS);
      expect(await kit.dispatcher.step()).toBe(0);
      expect(receiver.requests.length).toBe(1);
      expect(kit.outbox()[0]).toMatchObject({ state: "failed", attempts: 1 });
      expect(kit.attempts()).toMatchObject([
        { outcome: "permanent_failure", status_code: 404, error: "HTTP 404: no such hook" },
      ]);
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("429 is retried, no sooner than the receiver's Retry-After", async () => {
    const receiver = startReceiver();
    receiver.answer(() => ({ status: 429, headers: { "retry-after": "30" } }));
    const kit = alertKit([hookAt(receiver.url)]);
    try {
      await kit.finish("backup", "fail");
      await kit.dispatcher.step();
      expect(kit.attempts()[0]).toMatchObject({ outcome: "failed", status_code: 429 });
      expect(kit.outbox()[0]!.next_attempt_at - kit.clock.now()).toBe(30_000);

      receiver.answer(() => ({ status: 204 }));
      kit.clock.advance(30_000);
      await kit.dispatcher.step();
      expect(kit.outbox()[0]).toMatchObject({ state: "delivered", attempts: 2 });
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("a receiver that is down, then back, gets the alert once, after it is back", async () => {
    const port = await closedPort();
    const kit = alertKit([hookAt(`http://127.0.0.1:${port}/hook`)]);
    try {
      await kit.finish("backup", "fail");
      for (let i = 0; i < 3; i++) {
        expect(await kit.dispatcher.step()).toBe(1);
        kit.clock.set(kit.outbox()[0]!.next_attempt_at);
      }
      expect(kit.attempts().map((a) => a.outcome)).toEqual(["failed", "failed", "failed"]);
      expect(kit.attempts()[0]!.error).toMatch(/refused|connect/i);

      const receiver = startReceiver({ port });
      try {
        for (let i = 0; i < 5; i++) {
          await kit.dispatcher.step();
          kit.clock.advance(MAX_RETRY_MS);
        }
        expect(receiver.requests.length).toBe(1);
        expect(receiver.requests[0]!.path).toBe("/hook");
        expect(kit.outbox()[0]).toMatchObject({ state: "delivered", attempts: 4 });
        expect(kit.attempts().at(-1)!.outcome).toBe("delivered");
      } finally {
        await receiver.stop();
      }
    } finally {
      await kit.close();
    }
  });

  test("every attempt of one alert carries the same idempotency key", async () => {
    const receiver = startReceiver();
    let calls = 0;
    receiver.answer(() => ({ status: ++calls < 3 ? 500 : 200 }));
    const kit = alertKit([hookAt(receiver.url)]);
    try {
      await kit.finish("backup", "fail");
      for (let i = 0; i < 3; i++) {
        await kit.dispatcher.step();
        kit.clock.advance(MAX_RETRY_MS);
      }
      const keys = receiver.requests.map((r) => r.headers["idempotency-key"]);
      expect(keys.length).toBe(3);
      expect(new Set(keys)).toEqual(new Set([kit.outbox()[0]!.idempotency_key]));
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("logs one line per attempt with outcome and duration, never the URL nor the secret", async () => {
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
    } finally {
      await kit.close();
    }
  });

  test("failingChannels lists a channel from its first failure until it delivers again", async () => {
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

  test("running, it drains a backlog larger than its in-flight limit without waiting to poll", async () => {
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

  test("stop aborts a delivery in flight without recording it: the alert stays pending", async () => {
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
