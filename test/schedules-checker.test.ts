import { describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { ManualClock } from "../src/domain/clock.ts";
import { scheduleKit } from "./helpers/schedule-kit.ts";

const iso = (ms: number | null | undefined) => (ms == null ? null : new Date(ms).toISOString());

describe("the schedule checker", () => {
  test("a run inside the window prevents a missed run", async () => {
    const kit = await scheduleKit();
    try {
      await kit.set("backup", { cron: "0 3 * * *", grace: "15m" });
      kit.clock.set(Date.parse("2026-01-01T03:10:00Z"));
      await kit.run("backup");
      expect(await kit.at("2026-01-01T03:15:00Z")).toEqual([]);
      expect(kit.missed()).toEqual([]);
    } finally {
      await kit.close();
    }
  });

  test("no run in the window records exactly one missed run, finished at creation", async () => {
    const kit = await scheduleKit();
    try {
      await kit.set("backup", { cron: "0 3 * * *", tz: "Europe/Berlin", grace: "15m" });
      expect(await kit.at("2026-01-01T02:14:59Z")).toEqual([]); // 03:14:59 in Berlin
      const [run] = await kit.at("2026-01-01T02:15:00Z");
      expect(await kit.at("2026-01-01T02:16:00Z")).toEqual([]);

      expect(kit.missed()).toHaveLength(1);
      expect(run).toMatchObject({
        name: "backup",
        status: "missed",
        missedWindows: 1,
        createdAt: Date.parse("2026-01-01T02:15:00Z"),
        finishedAt: Date.parse("2026-01-01T02:15:00Z"),
      });
      expect(iso(run!.expectedAt)).toBe("2026-01-01T02:00:00.000Z");
      expect(run!.endMessage).toContain("2026-01-01 03:00:00 Europe/Berlin");
      const [event] = kit.runs.events(run!.id, 0, 10);
      expect(event).toMatchObject({ kind: "status" });
      expect(event!.message).toStartWith("missed: no run started by 2026-01-01T02:15:00.000Z");
      expect(kit.logLines.join("")).toContain("job missed its schedule");
    } finally {
      await kit.close();
    }
  });

  test("nothing is checked before a window closes: one timer per schedule", async () => {
    const kit = await scheduleKit();
    try {
      await kit.set("a", { every: "1h" });
      await kit.set("b", { cron: "*/5 * * * *" });
      await kit.set("a", { every: "1h" }); // the same again moves nothing
      expect(kit.checker.armed).toBe(2);
      expect(await kit.at("2026-01-01T00:09:59Z")).toEqual([]);
      expect((await kit.at("2026-01-01T00:10:00Z")).map((r) => r.name)).toEqual(["b"]);
      expect(kit.checker.armed).toBe(2);
    } finally {
      await kit.close();
    }
  });

  test("a late run after a missed window is normal and counts for the next one", async () => {
    const kit = await scheduleKit();
    try {
      await kit.set("etl", { cron: "0 * * * *", grace: "10m" });
      expect(await kit.at("2026-01-01T01:10:00Z")).toHaveLength(1);
      kit.clock.set(Date.parse("2026-01-01T01:20:00Z"));
      const late = await kit.run("etl");
      expect(kit.runs.get(late).status).toBe("completed");
      expect(await kit.at("2026-01-01T02:10:00Z")).toEqual([]);
      expect(kit.missed("etl")).toHaveLength(1);
    } finally {
      await kit.close();
    }
  });

  test("a period schedule expects the next run one period after the last", async () => {
    const kit = await scheduleKit();
    try {
      await kit.set("sync", { every: "1h", grace: "5m" });
      kit.clock.set(Date.parse("2026-01-01T00:40:00Z"));
      await kit.run("sync");
      const current = kit.service.current(kit.service.get("sync"));
      expect(iso(current.expectedAt)).toBe("2026-01-01T01:40:00.000Z");
      expect(await kit.at("2026-01-01T01:05:00Z")).toEqual([]);
      expect(await kit.at("2026-01-01T01:44:59Z")).toEqual([]);
      const [missed] = await kit.at("2026-01-01T01:45:00Z");
      expect(iso(missed!.expectedAt)).toBe("2026-01-01T01:40:00.000Z");
    } finally {
      await kit.close();
    }
  });

  test("changing a schedule starts its windows afresh; setting the same keeps them", async () => {
    const kit = await scheduleKit();
    try {
      const first = await kit.set("x", { every: "1h" });
      expect(first.created).toBe(true);
      kit.clock.set(Date.parse("2026-01-01T00:30:00Z"));
      const same = await kit.set("x", { every: "60m", grace: "5m" });
      expect(same.created).toBe(false);
      expect(same.schedule.window).toEqual(first.schedule.window);
      const changed = await kit.set("x", { every: "2h" });
      expect(iso(changed.schedule.window.expectedAt)).toBe("2026-01-01T02:30:00.000Z");
      expect(await kit.at("2026-01-01T01:10:00Z")).toEqual([]);
    } finally {
      await kit.close();
    }
  });

  test("a removed schedule is no longer checked; its missed runs stay", async () => {
    const kit = await scheduleKit();
    try {
      await kit.set("x", { every: "10m", grace: "1m" });
      expect(await kit.at("2026-01-01T00:11:00Z")).toHaveLength(1);
      await kit.service.remove("x");
      expect(kit.checker.armed).toBe(0);
      expect(await kit.at("2026-01-02T00:00:00Z")).toEqual([]);
      expect(kit.missed("x")).toHaveLength(1);
      await expect(kit.service.remove("x")).rejects.toMatchObject({ status: 404 });
    } finally {
      await kit.close();
    }
  });
});

describe("after a restart", () => {
  test("windows closed while the daemon was down make one missed run with the count", async () => {
    const first = await scheduleKit();
    const dbPath = first.dbPath;
    try {
      await first.set("backup", { cron: "0 3 * * *", tz: "Europe/Berlin", grace: "15m" });
      await first.set("sync", { every: "1h", grace: "5m" });
      first.clock.set(Date.parse("2026-01-01T02:05:00Z"));
      await first.run("backup"); // the 1 January run happened
      await first.stop();

      // Down from 1 January until 5 January, 12:00 UTC.
      first.clock.set(Date.parse("2026-01-05T12:00:00Z"));
      const second = await scheduleKit({ dbPath, clock: first.clock });
      try {
        expect(second.recovered.missed).toBe(2);
        const backup = second.missed("backup");
        expect(backup).toHaveLength(1);
        expect(backup[0]).toMatchObject({ missedWindows: 4, status: "missed" });
        expect(iso(backup[0]!.expectedAt)).toBe("2026-01-05T02:00:00.000Z");
        expect(backup[0]!.endMessage).toContain("no run in 4 windows, expected from 2026-01-02");

        const sync = second.missed("sync");
        expect(sync).toHaveLength(1);
        expect(sync[0]!.missedWindows).toBe(23 + 3 * 24 + 12); // 01:00 on 1 Jan .. 11:00 on 5 Jan

        // Then it goes on live, one window at a time.
        expect(await second.at("2026-01-05T12:05:00Z")).toHaveLength(1);
        expect(second.missed("sync").at(-1)!.missedWindows).toBe(1);
      } finally {
        await second.stop();
      }

      // A second restart right away finds nothing new to judge.
      const third = await scheduleKit({ dbPath, clock: first.clock });
      expect(third.recovered.missed).toBe(0);
      await third.stop();
    } finally {
      rmSync(first.dir!, { recursive: true, force: true });
    }
  });

  test("a run just before the stop still counts for its window", async () => {
    const first = await scheduleKit();
    try {
      await first.set("nightly", { cron: "0 0 * * *", grace: "30m" });
      first.clock.set(Date.parse("2026-01-02T00:10:00Z"));
      await first.run("nightly");
      await first.stop();
      first.clock.set(Date.parse("2026-01-02T06:00:00Z"));
      const second = await scheduleKit({ dbPath: first.dbPath, clock: first.clock });
      expect(second.recovered.missed).toBe(0);
      await second.stop();
    } finally {
      rmSync(first.dir!, { recursive: true, force: true });
    }
  });
});

describe("across daylight-saving changes (Europe/Berlin)", () => {
  test("every 1h across the March change: an hour apart, a gap is one missed run", async () => {
    // The host's own zone must not matter: run as if it were on Berlin's clock, which
    // jumps from 02:00 CET to 03:00 CEST at 01:00 UTC on 29 March 2026.
    const hostZone = process.env.TZ;
    process.env.TZ = "Europe/Berlin";
    const kit = await scheduleKit({ clock: new ManualClock(Date.parse("2026-03-29T00:30:00Z")) });
    try {
      await kit.set("sync", { every: "1h", grace: "5m" });
      expect(iso(kit.service.current(kit.service.get("sync")).expectedAt)).toBe(
        "2026-03-29T01:30:00.000Z",
      );
      kit.clock.set(Date.parse("2026-03-29T01:28:00Z")); // 03:28 CEST: 58 real minutes on
      await kit.run("sync");
      expect(iso(kit.service.current(kit.service.get("sync")).expectedAt)).toBe(
        "2026-03-29T02:28:00.000Z",
      );

      expect(await kit.at("2026-03-29T02:32:59Z")).toEqual([]);
      const [missed] = await kit.at("2026-03-29T02:33:00Z");
      expect(missed).toMatchObject({ name: "sync", status: "missed", missedWindows: 1 });
      expect(iso(missed!.expectedAt)).toBe("2026-03-29T02:28:00.000Z");
      expect(iso(kit.service.current(kit.service.get("sync")).expectedAt)).toBe(
        "2026-03-29T03:28:00.000Z",
      );

      kit.clock.set(Date.parse("2026-03-29T03:30:00Z"));
      await kit.run("sync");
      expect(await kit.at("2026-03-29T04:34:59Z")).toEqual([]); // its window closes at 04:35
      expect(kit.missed("sync")).toHaveLength(1);
    } finally {
      await kit.close();
      if (hostZone === undefined) delete process.env.TZ;
      else process.env.TZ = hostZone;
    }
  });

  for (const [change, days] of [
    [
      "the last Sunday of March",
      ["2026-03-28T02:01:00Z", "2026-03-29T01:01:00Z", "2026-03-30T01:01:00Z"],
    ],
    [
      "the last Sunday of October",
      ["2026-10-24T01:01:00Z", "2026-10-25T02:01:00Z", "2026-10-26T02:01:00Z"],
    ],
  ] as const) {
    test(`a daily 03:00 job run at 03:01 local time is never missed around ${change}`, async () => {
      const clock = new ManualClock(Date.parse(days[0]) - 12 * 3_600_000);
      const kit = await scheduleKit({ clock });
      try {
        await kit.set("backup", { cron: "0 3 * * *", tz: "Europe/Berlin", grace: "15m" });
        for (const day of days) {
          kit.clock.set(Date.parse(day));
          await kit.run("backup");
          expect(await kit.at(new Date(Date.parse(day) + 20 * 60_000).toISOString())).toEqual([]);
        }
        // The day after, no run: missed at 03:15 on the local clock, whatever the offset.
        const next = Date.parse(days[2]) + 86_400_000 - 60_000;
        const [missed] = await kit.at(new Date(next + 15 * 60_000).toISOString());
        expect(missed!.expectedAt).toBe(next);
        expect(kit.missed()).toHaveLength(1);
      } finally {
        await kit.close();
      }
    });
  }
});
