import { describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { AlertEnqueuer } from "../src/alerts/enqueuer.ts";
import { OutboxStore } from "../src/alerts/outbox-store.ts";
import { TRIGGER_NAMES } from "../src/alerts/triggers.ts";
import { ManualClock } from "../src/domain/clock.ts";
import { channelsOf } from "./helpers/alerts-kit.ts";
import { startTestDaemon } from "./helpers/daemon.ts";
import { startReceiver } from "./helpers/http-receiver.ts";
import { waitFor } from "./helpers/wait-for.ts";
import { scheduleKit, type ScheduleKitOptions } from "./helpers/schedule-kit.ts";

/** A schedule kit whose missed runs and state changes feed one webhook channel's outbox. */
async function alertingKit(channel: Record<string, unknown>, reopen: ScheduleKitOptions = {}) {
  const channels = channelsOf([
    { name: "ops", type: "webhook", url: "http://127.0.0.1:9/", ...channel },
  ]);
  const kit = await scheduleKit({
    ...reopen,
    listeners: (db, clock) => [new AlertEnqueuer({ store: new OutboxStore(db), channels, clock })],
  });
  const outbox = () =>
    (
      kit.db.query("SELECT trigger, payload FROM alert_outbox ORDER BY id").all() as {
        trigger: string;
        payload: string;
      }[]
    ).map((row) => ({ trigger: row.trigger, payload: JSON.parse(row.payload) }));
  return { ...kit, outbox };
}

describe("alerts on missed runs", () => {
  test("the daemon delivers a missed run to a channel with on = [missed]", async () => {
    const receiver = startReceiver();
    const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
    const alerts = channelsOf([
      { name: "ops", type: "webhook", url: receiver.url, on: ["missed"] },
      { name: "quiet", type: "webhook", url: receiver.url, on: ["failed"] },
    ]);
    const daemon = await startTestDaemon({ clock, alerts });
    try {
      const put = await daemon.request("/api/schedules/backup", {
        method: "PUT",
        body: JSON.stringify({ cron: "0 3 * * *", grace: "15m" }),
      });
      expect(put.status).toBe(201);
      clock.set(Date.parse("2026-01-01T03:16:00Z"));
      const [missed] = await daemon.schedules.checker.tick();
      expect(missed?.status).toBe("missed");

      await daemon.alerts.step();
      const request = await waitFor(() => receiver.requests[0]);
      const payload = JSON.parse(request.body);
      expect(payload).toMatchObject({ trigger: "missed", channel: "ops" });
      expect(payload.run).toMatchObject({ id: missed!.id, name: "backup", status: "missed" });
      expect(receiver.requests).toHaveLength(1);
    } finally {
      await daemon.close();
      await receiver.stop();
    }
  });

  test("missed is a trigger a channel may name", () => {
    expect(TRIGGER_NAMES).toContain("missed");
  });

  test("a channel with on = [missed] is alerted in the transaction of the missed run", async () => {
    const kit = await alertingKit({ on: ["missed"] });
    try {
      await kit.set("backup", { cron: "0 3 * * *", grace: "15m" });
      const [run] = await kit.at("2026-01-01T03:15:00Z");
      const [alert] = kit.outbox();
      expect(kit.outbox()).toHaveLength(1);
      expect(alert!.trigger).toBe("missed");
      expect(alert!.payload.run).toMatchObject({
        id: run!.id,
        status: "missed",
        expectedAt: "2026-01-01T03:00:00.000Z",
        missedWindows: 1,
      });
      expect(alert!.payload.summary).toBe(
        `backup #${run!.id} missed: no run started by 2026-01-01T03:15:00.000Z, ` +
          "expected at 2026-01-01T03:00:00.000Z with 15m grace",
      );
    } finally {
      await kit.close();
    }
  });

  test("channels that do not listen for missed are not alerted", async () => {
    const kit = await alertingKit({ on: ["failed", "timed_out"] });
    try {
      await kit.set("backup", { every: "1h" });
      expect(await kit.at("2026-01-01T01:05:00Z")).toHaveLength(1);
      expect(kit.outbox()).toEqual([]);
    } finally {
      await kit.close();
    }
  });

  test("the next completed run after a missed one sends recovered, as after failures", async () => {
    const kit = await alertingKit({ on: ["missed", "recovered"] });
    try {
      await kit.set("backup", { cron: "0 3 * * *", grace: "15m" });
      await kit.at("2026-01-01T03:15:00Z");
      kit.clock.set(Date.parse("2026-01-01T03:40:00Z"));
      await kit.run("backup", 60_000); // late: a normal run
      expect(kit.outbox().map((a) => a.trigger)).toEqual(["missed", "recovered"]);
      expect(kit.outbox()[1]!.payload.failuresInARow).toBe(1);
    } finally {
      await kit.close();
    }
  });

  test("a threshold counts missed runs in a row, with failures", async () => {
    const kit = await alertingKit({ on: ["missed"], threshold: 3 });
    try {
      await kit.set("sync", { every: "1h", grace: "5m" });
      await kit.at("2026-01-01T01:05:00Z");
      await kit.at("2026-01-01T02:05:00Z");
      expect(kit.outbox()).toEqual([]);
      await kit.at("2026-01-01T03:05:00Z");
      const [alert] = kit.outbox();
      expect(alert).toMatchObject({ trigger: "missed" });
      expect(alert!.payload.failuresInARow).toBe(3);
    } finally {
      await kit.close();
    }
  });

  test("windows missed while the daemon was down make one alert, not one each", async () => {
    const before = await alertingKit({ on: ["missed"] });
    await before.set("sync", { every: "10m", grace: "1m" });
    await before.stop();
    before.clock.set(Date.parse("2026-01-02T00:00:00Z"));
    const kit = await alertingKit(
      { on: ["missed"] },
      { dbPath: before.dbPath, clock: before.clock },
    );
    try {
      expect(kit.recovered.missed).toBe(1);
      expect(kit.outbox()).toHaveLength(1);
      expect(kit.outbox()[0]!.payload.run.missedWindows).toBe(143);
      expect(kit.outbox()[0]!.payload.summary).toContain("no run in 143 windows");
    } finally {
      await kit.stop();
      rmSync(before.dir!, { recursive: true, force: true });
    }
  });
});
