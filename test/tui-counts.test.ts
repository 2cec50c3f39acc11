import type { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { ManualClock } from "../src/domain/clock.ts";
import { RUN_STATUSES } from "../src/domain/run.ts";
import { EventRate } from "../tui/data/event-rate.ts";
import { StatusCounter, type StatusCounts } from "../tui/data/status-counts.ts";
import { openWatchDatabase } from "../tui/data/watch-db.ts";
import { CountSchedule } from "../tui/model/count-schedule.ts";
import { makeTuiDb, T0, type TuiDb } from "./helpers/tui-db.ts";

const HOUR = 3_600_000;
let fixture: TuiDb;
let reader: Database;

beforeEach(() => {
  fixture = makeTuiDb();
  reader = openWatchDatabase(fixture.path);
});

afterEach(() => {
  reader.close();
  fixture.cleanup();
});

const asRecord = (counts: StatusCounts) =>
  Object.fromEntries(counts.map(({ status, count }) => [status, count]));

describe("runs per status over a window", () => {
  test("counts each window from the runs created in it", () => {
    const now = T0 + 10 * 24 * HOUR;
    fixture.add({ createdAt: now - 9 * 24 * HOUR, status: "completed" });
    fixture.add({ createdAt: now - 3 * 24 * HOUR, status: "failed" });
    fixture.add({ createdAt: now - 5 * HOUR, status: "timed_out" });
    fixture.add({ createdAt: now - 30 * 60_000, status: "cancelled" });
    fixture.add({ createdAt: now - 60_000 });
    const counter = new StatusCounter(reader);

    const zeros = Object.fromEntries(RUN_STATUSES.map((status) => [status, 0]));
    expect(asRecord(counter.count("1h", now))).toEqual({ ...zeros, running: 1, cancelled: 1 });
    expect(asRecord(counter.count("24h", now))).toMatchObject({ timed_out: 1, cancelled: 1 });
    expect(asRecord(counter.count("7d", now))).toMatchObject({ failed: 1, completed: 0 });
    expect(asRecord(counter.count("all", now))).toMatchObject({ completed: 1, running: 1 });
  });

  test("lists the known statuses first, then unknown ones found in the database", () => {
    fixture.add({ status: "zz_paused_by_operator" });
    fixture.add({ status: "aa_held" });
    fixture.add({ status: "failed" });
    const counts = new StatusCounter(reader).count("all", T0);
    expect(counts.map((entry) => entry.status)).toEqual([
      ...RUN_STATUSES,
      "aa_held",
      "zz_paused_by_operator",
    ]);
    expect(asRecord(counts)).toMatchObject({ aa_held: 1, zz_paused_by_operator: 1, failed: 1 });
  });

  test("keeps 'all' right as runs finish, new runs arrive and old runs are deleted", () => {
    const first = fixture.add({ status: "completed" });
    const open = fixture.add();
    fixture.add({ status: "failed" });
    const counter = new StatusCounter(reader);
    expect(asRecord(counter.count("all", T0))).toMatchObject({
      completed: 1,
      running: 1,
      failed: 1,
    });

    fixture.store.finishRun(open, "completed", T0 + 1);
    fixture.add({ status: "cancelled" });
    expect(asRecord(counter.count("all", T0))).toMatchObject({
      completed: 2,
      running: 0,
      failed: 1,
      cancelled: 1,
    });

    fixture.db.run("DELETE FROM runs WHERE id = ?", [first]);
    expect(asRecord(counter.count("all", T0))).toMatchObject({ completed: 1, cancelled: 1 });
  });
});

describe("when counts are recomputed", () => {
  test("twice a second at most after a change, at once for a new window, as time passes", () => {
    const clock = new ManualClock(T0);
    const schedule = new CountSchedule(new StatusCounter(reader), clock);
    expect(schedule.due(clock.now(), "24h")).not.toBeNull();
    expect(schedule.due(clock.now(), "24h")).toBeNull();

    schedule.markChanged();
    expect(schedule.due(clock.now(), "24h")).toBeNull();
    clock.advance(500);
    expect(schedule.due(clock.now(), "24h")).not.toBeNull();

    schedule.markChanged(true);
    expect(schedule.due(clock.now(), "all")).not.toBeNull();
    clock.advance(60_000);
    expect(schedule.due(clock.now(), "all")).toBeNull();
    expect(schedule.due(clock.now(), "1h")).not.toBeNull();
  });
});

describe("event rate", () => {
  test("counts the events of the last minute, read incrementally, and decays", () => {
    const now = T0 + 10 * 60_000;
    const at = (msAgo: number) => ({ at: now - msAgo, kind: "log" as const, message: "x" });
    fixture.add({ events: [at(5 * 60_000), at(50_000), at(20_000), at(1000)] });
    const rate = new EventRate(reader);

    rate.refresh(now);
    expect(rate.perMinute(now)).toBe(3);

    fixture.add({ events: [at(0), at(0)] });
    rate.refresh(now);
    expect(rate.perMinute(now)).toBe(5);
    expect(rate.perMinute(now + 15_000)).toBe(4);
    expect(rate.perMinute(now + 61_000)).toBe(0);
  });

  test("is right from the first screen when the last minute holds tens of thousands of events", () => {
    const now = T0 + 10 * 60_000;
    const old = Array.from({ length: 5000 }, (_, i) => ({
      at: now - 120_000 + i,
      kind: "log" as const,
      message: "old",
    }));
    const recent = Array.from({ length: 45_000 }, (_, i) => ({
      at: now - 59_000 + Math.floor(i / 1000) * 1000,
      kind: "log" as const,
      message: "new",
    }));
    fixture.db.transaction(() => fixture.add({ events: [...old, ...recent] }))();
    const rate = new EventRate(reader);

    rate.refresh(now);
    expect(rate.perMinute(now)).toBe(45_000);
    // Second by second, as the window moves on: the oldest second's 1,000 events leave it.
    expect(rate.perMinute(now + 1000)).toBe(44_000);
  });
});
