import { describe, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import { alertKit } from "./helpers/alerts-kit.ts";
import { startReceiver } from "./helpers/http-receiver.ts";

describe("webhook channel", () => {
  test("POSTs the run as JSON with its last events and what happened", async () => {
    const receiver = startReceiver();
    const kit = alertKit([{ name: "ops", type: "webhook", url: `${receiver.url}/hook?team=ops` }]);
    try {
      const run = await kit.runs.create({ name: "backup-db", timeoutSeconds: 60, version: "1.2" });
      await kit.runs.log(run.id, [{ message: "dumping" }]);
      kit.clock.advance(2500);
      await kit.runs.end(run.id, "fail", { exitCode: 3, message: "pg_dump died" });
      await kit.dispatcher.step();

      const [request] = receiver.requests;
      expect(request).toMatchObject({ method: "POST", path: "/hook?team=ops" });
      expect(request!.headers["content-type"]).toBe("application/json");
      expect(request!.headers["user-agent"]).toMatch(/^StatusBox\//);
      expect(request!.headers["x-statusbox-trigger"]).toBe("failed");
      expect(request!.headers["idempotency-key"]).toBe(kit.outbox()[0]!.idempotency_key);
      expect(request!.headers["x-statusbox-signature-256"]).toBeUndefined();

      const body = JSON.parse(request!.body);
      expect(body).toMatchObject({
        trigger: "failed",
        channel: "ops",
        summary: "backup-db #1 failed after 2.5s (exit code 3): pg_dump died",
        heldBack: 0,
        test: false,
        run: {
          id: 1,
          name: "backup-db",
          version: "1.2",
          status: "failed",
          exitCode: 3,
          durationMs: 2500,
          message: "pg_dump died",
          createdAt: new Date(run.createdAt).toISOString(),
          finishedAt: new Date(run.createdAt + 2500).toISOString(),
        },
      });
      expect(body.events.map((e: { message: string }) => e.message)).toEqual([
        "running (timeout 60s)",
        "dumping",
        "failed: exit code 3, pg_dump died",
      ]);
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("with a secret, signs the exact body with HMAC-SHA256 in a header", async () => {
    const receiver = startReceiver();
    const secret = "correct horse battery staple";
    const kit = alertKit([{ name: "ops", type: "webhook", url: receiver.url, secret }]);
    try {
      await kit.finish("backup", "fail");
      await kit.dispatcher.step();
      const [request] = receiver.requests;
      const expected = createHmac("sha256", secret).update(request!.body).digest("hex");
      expect(request!.headers["x-statusbox-signature-256"]).toBe(`sha256=${expected}`);

      const forged = createHmac("sha256", "wrong").update(request!.body).digest("hex");
      expect(request!.headers["x-statusbox-signature-256"]).not.toBe(`sha256=${forged}`);
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("sends the channel's own headers, but they cannot replace StatusBox's", async () => {
    const receiver = startReceiver();
    const headers = { Authorization: "Bearer t0ken", "Idempotency-Key": "mine" };
    const kit = alertKit([{ name: "ops", type: "webhook", url: receiver.url, headers }]);
    try {
      await kit.finish("backup", "fail");
      await kit.dispatcher.step();
      const [request] = receiver.requests;
      expect(request!.headers.authorization).toBe("Bearer t0ken");
      expect(request!.headers["idempotency-key"]).toBe(kit.outbox()[0]!.idempotency_key);
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("a redirect is a permanent failure: the POST does not become a GET elsewhere", async () => {
    const receiver = startReceiver();
    receiver.answer(() => ({ status: 301, headers: { location: "http://127.0.0.1:9/" } }));
    const kit = alertKit([{ name: "ops", type: "webhook", url: receiver.url }]);
    try {
      await kit.finish("backup", "fail");
      await kit.dispatcher.step();
      expect(receiver.requests.length).toBe(1);
      expect(kit.attempts()[0]).toMatchObject({ outcome: "permanent_failure", status_code: 301 });
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });
});
