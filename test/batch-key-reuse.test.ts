import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { MIGRATIONS } from "../src/storage/migrations.ts";
import { createRun, startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon();
});
afterAll(() => daemon.close());

const sendBatch = (target: TestDaemon, runId: number, key: string, body: unknown) =>
  target.request(`/api/jobs/${runId}/events`, {
    method: "POST",
    headers: { "idempotency-key": key },
    body: JSON.stringify(body),
  });

const logMessages = (target: TestDaemon, runId: number) =>
  (
    target.db
      .query("SELECT message FROM events WHERE run_id = ? AND kind = 'log' ORDER BY id")
      .all(runId) as { message: string }[]
  ).map((row) => row.message);

describe("an Idempotency-Key reused on the same run", () => {
  test("with a different batch answers 422 naming the key, and stores nothing", async () => {
    const id = await createRun(daemon);
    expect((await sendBatch(daemon, id, "batch-1", ["a", "b"])).status).toBe(200);

    const other = await sendBatch(daemon, id, "batch-1", ["c", "d"]);
    expect(other.status).toBe(422);
    expect(await other.json()).toEqual({
      status: "error",
      error: `Idempotency-Key "batch-1" was already used with a different batch on job ${id}; send new lines under a new key`,
      code: "idempotency_key_reused",
    });
    expect(logMessages(daemon, id)).toEqual(["a", "b"]);
  });

  test("with another stream, order or count of the same messages is a different batch", async () => {
    const id = await createRun(daemon);
    await sendBatch(daemon, id, "k", ["a", "b"]);
    const variants = [
      [{ message: "a", stream: "stderr" }, "b"],
      ["b", "a"],
      ["a"],
      ["a", "b", "b"],
    ];
    for (const variant of variants) {
      expect((await sendBatch(daemon, id, "k", variant)).status).toBe(422);
    }
    expect(logMessages(daemon, id)).toEqual(["a", "b"]);
  });

  test("with the same batch answers 200 with the first count and stores nothing again", async () => {
    const id = await createRun(daemon);
    const first = await sendBatch(daemon, id, "same", ["a", { message: "b", stream: "stdout" }]);
    expect(await first.json()).toEqual({ status: "ok", stored: 2 });

    // The same lines however they are written: a bare string is {message} with no stream.
    const again = await sendBatch(daemon, id, "same", {
      messages: [
        { message: "a", stream: null },
        { message: "b", stream: "stdout" },
      ],
    });
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: "ok", stored: 2 });
    expect(logMessages(daemon, id)).toEqual(["a", "b"]);
  });
});

describe("schema 6", () => {
  test("keeps a key stored by schema 5, which still dedupes without a digest to check", async () => {
    const dir = makeTempDir();
    const dbPath = join(dir.path, "schema5.db");
    const old = new Database(dbPath, { create: true });
    for (const step of MIGRATIONS.filter((m) => m.version <= 5)) old.run(step.sql);
    old.run("PRAGMA user_version = 5");
    old.run(
      `INSERT INTO runs (id, name, status, timeout_seconds, created_at, deadline_at)
       VALUES (1, 'old', 'running', 3600, ?, ?)`,
      [Date.now(), Date.now() + 3_600_000],
    );
    old.run("INSERT INTO batch_keys (run_id, key, stored, created_at) VALUES (1, 'old-key', 3, 0)");
    old.close();

    const upgraded = await startTestDaemon({ dbPath });
    try {
      const retried = await sendBatch(upgraded, 1, "old-key", ["x", "y", "z"]);
      expect(await retried.json()).toEqual({ status: "ok", stored: 3 });
      const fresh = await sendBatch(upgraded, 1, "new-key", ["x"]);
      expect(await fresh.json()).toEqual({ status: "ok", stored: 1 });
      expect((await sendBatch(upgraded, 1, "new-key", ["y"])).status).toBe(422);
      expect(logMessages(upgraded, 1)).toEqual(["x"]);
    } finally {
      await upgraded.close();
      dir.cleanup();
    }
  });
});
