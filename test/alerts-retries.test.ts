import { describe, expect, test } from "bun:test";
import { GIVE_UP_AFTER_MS, MAX_RETRY_MS, retryDelay } from "../src/alerts/backoff.ts";
import { alertKit } from "./helpers/alerts-kit.ts";
import { closedPort, startReceiver } from "./helpers/http-receiver.ts";

const hookAt = (url: string, extra: Record<string, unknown> = {}) => ({
  name: "hook",
  type: "webhook",
  url,
  ...extra,
});

describe("retries", () => {
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
});
