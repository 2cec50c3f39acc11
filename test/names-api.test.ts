import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../src/domain/clock.ts";
import type { EndSignal } from "../src/domain/run.ts";
import { durationsOf } from "../src/schedules/name-view.ts";
import { startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";

const NOW = Date.parse("2026-01-10T12:00:00Z");
const HOUR = 3_600_000;
const clock = new ManualClock(NOW - 9 * 24 * HOUR);
let daemon: TestDaemon;

/** A run of `name` created `ago` before NOW that ends with `signal` after `seconds`. */
async function runAt(name: string, ago: number, seconds: number, signal: EndSignal | "timeout") {
  clock.set(NOW - ago);
  const run = await daemon.runs.create({
    name,
    timeoutSeconds: signal === "timeout" ? seconds : 3600,
  });
  clock.advance(seconds * 1000);
  if (signal === "timeout") await daemon.runs.expire([run.id]);
  else await daemon.runs.end(run.id, signal);
  return run.id;
}

let lastSuccessId: number;
let runningId: number;
beforeAll(async () => {
  daemon = await startTestDaemon({ clock });
  daemon.schedules.checker.stop();
  daemon.scheduler.stop();

  await runAt("backup", 8 * 24 * HOUR, 100, "complete"); // older than 7 days
  await runAt("backup", 3 * 24 * HOUR, 5, "fail");
  await runAt("backup", 2 * 24 * HOUR, 20, "complete");
  await runAt("backup", 20 * HOUR, 30, "complete");
  await runAt("backup", 10 * HOUR, 10, "timeout");
  await runAt("backup", 6 * HOUR, 3, "cancel");
  lastSuccessId = await runAt("backup", HOUR, 40, "complete");
  clock.set(NOW - 10 * 60_000);
  runningId = (await daemon.runs.create({ name: "backup", timeoutSeconds: 3600 })).id;

  clock.set(NOW - 3 * HOUR);
  await daemon.request("/api/schedules/nightly", {
    method: "PUT",
    body: JSON.stringify({ cron: "0 3 * * *", tz: "Europe/Berlin", grace: "15m" }),
  });
  await daemon.request("/api/schedules/sync", {
    method: "PUT",
    body: JSON.stringify({ every: "1h", grace: "5m" }),
  });
  clock.set(NOW - 2 * HOUR + 5 * 60_000);
  await daemon.schedules.checker.tick(); // sync missed its first hour
  clock.set(NOW - 90 * 60_000);
  await runAt("sync", 90 * 60_000, 2, "complete");
  clock.set(NOW);
});
afterAll(() => daemon.close());

const names = async (query = "") => {
  const response = await daemon.request(`/api/names${query}`);
  expect(response.status).toBe(200);
  return response.json();
};

describe("GET /api/names", () => {
  test("answers one row per job name, from runs and from schedules, in name order", async () => {
    const body = await names();
    expect(body.status).toBe("ok");
    expect(body.names.map((row: { name: string }) => row.name)).toEqual([
      "backup",
      "nightly",
      "sync",
    ]);
    expect(body.next).toBeNull();
  });

  test("a name's row has its last run, last success, counts and durations", async () => {
    const [backup] = (await names()).names;
    expect(backup).toEqual({
      name: "backup",
      lastRun: {
        id: runningId,
        status: "running",
        createdAt: "2026-01-10T11:50:00.000Z",
        finishedAt: null,
      },
      lastSuccess: { id: lastSuccessId, finishedAt: "2026-01-10T11:00:40.000Z" },
      // 24 h: the timed-out, cancelled, last completed and running runs (20 h ago is in too).
      last24h: { runs: 5, failures: 1 },
      // 7 d: also the failed and the completed two and three days ago.
      last7d: { runs: 7, failures: 2 },
      // Completed: 100 s, 20 s, 30 s, 40 s; nearest rank.
      durationMs: { median: 30_000, p95: 100_000, sample: 4 },
      schedule: null,
      nextExpectedAt: null,
    });
  });

  test("a name with only a schedule shows it and its next expected time", async () => {
    const nightly = (await names()).names[1];
    expect(nightly).toMatchObject({
      name: "nightly",
      lastRun: null,
      lastSuccess: null,
      last24h: { runs: 0, failures: 0 },
      last7d: { runs: 0, failures: 0 },
      durationMs: null,
      nextExpectedAt: "2026-01-11T02:00:00.000Z",
    });
    expect(nightly.schedule).toMatchObject({
      cron: "0 3 * * *",
      tz: "Europe/Berlin",
      grace: "15m",
    });
  });

  test("missed runs count as failures; a period's next time follows its last run", async () => {
    const sync = (await names()).names[2];
    expect(sync).toMatchObject({
      last24h: { runs: 2, failures: 1 },
      lastRun: { status: "completed" },
      durationMs: { median: 2000, p95: 2000, sample: 1 },
      nextExpectedAt: "2026-01-10T11:30:00.000Z",
    });
    expect(sync.schedule.nextExpectedAt).toBe(sync.nextExpectedAt);
  });

  test("pages with limit and after; next is the after of the following page", async () => {
    const first = await names("?limit=2");
    expect(first.names.map((r: { name: string }) => r.name)).toEqual(["backup", "nightly"]);
    expect(first.next).toBe("nightly");
    const second = await names(`?limit=2&after=${first.next}`);
    expect(second.names.map((r: { name: string }) => r.name)).toEqual(["sync"]);
    expect(second.next).toBeNull();
  });

  test("a read-only key may read it; a bad limit is a 400", async () => {
    const reader = daemon.keys.create("reader", "read").secret;
    expect((await daemon.request("/api/names", { key: reader })).status).toBe(200);
    const bad = await daemon.request("/api/names?limit=0");
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toBe("limit must be a whole number from 1 to 1000");
  });
});

describe("duration figures", () => {
  test("median and p95 are durations some run took (nearest rank)", () => {
    expect(durationsOf([])).toBeNull();
    expect(durationsOf([7])).toEqual({ medianMs: 7, p95Ms: 7, sample: 1 });
    const hundred = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(durationsOf(hundred)).toEqual({ medianMs: 50, p95Ms: 95, sample: 100 });
  });
});
