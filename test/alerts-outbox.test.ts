import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { alertKit } from "./helpers/alerts-kit.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const hook = { name: "hook", type: "webhook", url: "http://127.0.0.1:9/hook" };

describe("the outbox is written in the state change's transaction", () => {
  test("a state change that rolls back leaves no alert behind", async () => {
    const kit = alertKit([hook]);
    try {
      // A listener registered after the enqueuer fails inside the same transaction.
      kit.addListener({
        onStatusChange: () => {
          throw new Error("disk on fire");
        },
      });
      const run = await kit.runs.create({ name: "x", timeoutSeconds: 60 });
      await expect(kit.runs.end(run.id, "fail")).rejects.toThrow("disk on fire");

      expect(kit.runs.get(run.id).status).toBe("running");
      expect(kit.outbox()).toEqual([]);
    } finally {
      await kit.close();
    }
  });

  test("the alert is stored before the end signal is answered", async () => {
    const kit = alertKit([hook]);
    try {
      const run = await kit.runs.create({ name: "x", timeoutSeconds: 60 });
      const ended = kit.runs.end(run.id, "fail");
      expect(kit.outbox()).toEqual([]); // not yet committed
      await ended;
      expect(kit.outbox().map((a) => a.run_id)).toEqual([run.id]);
    } finally {
      await kit.close();
    }
  });

  test("runs that timed out while the daemon was down alert at start-up", async () => {
    const dir = makeTempDir();
    const dbPath = join(dir.path, "down.db");
    try {
      const before = alertKit([hook], { dbPath });
      const run = await before.runs.create({ name: "nightly", timeoutSeconds: 5 });
      await before.close();

      const after = alertKit([hook], { dbPath });
      try {
        after.clock.advance(60_000);
        const recovered = await after.runs.recover();
        expect(recovered.expired.map((r) => r.id)).toEqual([run.id]);
        const [alert] = after.outbox();
        expect(alert).toMatchObject({ run_id: run.id, trigger: "timed_out", state: "pending" });
        expect(alert!.payload.summary).toBe("nightly #1 timed out: no end signal within 5s");
      } finally {
        await after.close();
      }
    } finally {
      dir.cleanup();
    }
  });
});
