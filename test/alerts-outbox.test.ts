import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { OutboxStore, type OutboxRow } from "../src/alerts/outbox-store.ts";
import { alertKit, type AlertKit } from "./helpers/alerts-kit.ts";
import { recordStatements } from "./helpers/statement-recorder.ts";
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

describe("the due alerts the dispatcher reads", () => {
  /** Queues an alert for `channel`, due at `at`; answers its id. */
  const queue = (kit: AlertKit, channel: string, at: number) =>
    kit.store.insert({
      channel,
      runId: null,
      runName: "x",
      trigger: "failed",
      payload: "{}",
      createdAt: at,
      idempotencyKey: crypto.randomUUID(),
    });
  /** Each alert as its channel and due time: `good@2000`. */
  const dueOf = (rows: OutboxRow[]) => rows.map((row) => `${row.channel}@${row.created_at}`);

  test("the first due of each channel not full, oldest first, past a full one's backlog", async () => {
    const kit = alertKit([hook]);
    try {
      const stuck = Array.from({ length: 50 }, (_, i) => queue(kit, "stuck", 1000 + i));
      const good = [2000, 2001, 2002].map((at) => queue(kit, "good", at));
      for (const at of [1500, 3000]) queue(kit, "other", at);
      queue(kit, "later", 10_000); // not due yet

      const skipStuck = { perChannel: 2, fullChannels: ["stuck"], inFlight: [] };
      expect(dueOf(kit.store.due(5000, skipStuck))).toEqual([
        "other@1500",
        "good@2000",
        "good@2001",
        "other@3000",
      ]);

      // Alerts in flight are passed over; the channel's next ones come instead.
      const inFlight = [stuck[0]!, good[0]!];
      expect(dueOf(kit.store.due(5000, { perChannel: 2, fullChannels: [], inFlight }))).toEqual([
        "stuck@1001",
        "stuck@1002",
        "other@1500",
        "good@2001",
        "good@2002",
        "other@3000",
      ]);
    } finally {
      await kit.close();
    }
  });

  test("it seeks each channel through an index, never scanning a channel's backlog", async () => {
    const kit = alertKit([hook]);
    try {
      const statements = recordStatements(kit.db);
      new OutboxStore(kit.db).due(5000, { perChannel: 4, fullChannels: ["a"], inFlight: [1] });
      const [due] = [...statements.values()].filter((s) => s.params !== null);
      const plan = kit.db
        .query<{ detail: string }, never[]>(`EXPLAIN QUERY PLAN ${due!.sql}`)
        .all()
        .map((step) => step.detail);

      expect(plan.filter((detail) => /SCAN alert_outbox\b/.test(detail))).toEqual([]);
      expect(plan.join("\n")).toContain(
        "alert_outbox_due_by_channel (channel=? AND next_attempt_at<?)",
      );
    } finally {
      await kit.close();
    }
  });
});
