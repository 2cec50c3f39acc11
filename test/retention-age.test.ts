import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { DAY_MS, DEFAULT_POLICY } from "../src/retention/policy.ts";
import { Pruner } from "../src/retention/pruner.ts";
import { countRows, openRunDb, type RunDb } from "./helpers/run-db.ts";

let t: RunDb;
beforeEach(() => (t = openRunDb()));
afterEach(() => t.close());

const pruner = (days = 60) =>
  new Pruner({ db: t.db, writes: t.writes, clock: t.clock, policy: { ...DEFAULT_POLICY, days } });

async function finishedRun(name: string, logLines = 2): Promise<number> {
  const run = await t.runs.create({ name, timeoutSeconds: 3600 });
  for (let i = 0; i < logLines; i++) await t.runs.log(run.id, [{ message: `line ${i}` }]);
  await t.runs.end(run.id, "complete");
  return run.id;
}

describe("retention by age", () => {
  test("removes finished runs older than the retention, with their events", async () => {
    const old = await finishedRun("nightly");
    t.clock.advance(50 * DAY_MS);
    const recent = await finishedRun("nightly");
    t.clock.advance(11 * DAY_MS + 1);

    const report = await pruner(60).prune();

    expect(report.runsDeleted).toBe(1);
    expect(report.eventsDeleted).toBe(4); // created, two lines, completed
    expect(t.runs.list({ limit: 10 }).map((r) => r.id)).toEqual([recent]);
    expect(countRows(t.db, "events", `run_id = ${old}`)).toBe(0);
    expect(countRows(t.db, "events", `run_id = ${recent}`)).toBe(4);
  });

  test("the ids of removed runs are never given to new ones, even the newest's", async () => {
    const first = await finishedRun("nightly");
    const newest = await finishedRun("etl");
    t.clock.advance(61 * DAY_MS);
    expect((await pruner(60).prune()).runsDeleted).toBe(2);
    expect(countRows(t.db, "runs")).toBe(0);

    const next = await t.runs.create({ name: "thumbnailer", timeoutSeconds: 60 });
    expect(next.id).toBe(newest + 1);
    expect([first, newest]).not.toContain(next.id);
  });

  test("keeps a run that finished exactly at the cutoff and removes it a moment later", async () => {
    const id = await finishedRun("edge");
    t.clock.advance(60 * DAY_MS);
    expect((await pruner(60).prune()).runsDeleted).toBe(0);
    t.clock.advance(1);
    expect((await pruner(60).prune()).runsDeleted).toBe(1);
    expect(t.runs.list({ limit: 10 }).some((r) => r.id === id)).toBe(false);
  });

  test("measures age from when a run finished, not from when it started", async () => {
    const run = await t.runs.create({ name: "long", timeoutSeconds: 300 * 24 * 3600 });
    t.clock.advance(40 * DAY_MS);
    await t.runs.end(run.id, "complete");
    t.clock.advance(59 * DAY_MS);

    expect((await pruner(60).prune()).runsDeleted).toBe(0);
    t.clock.advance(2 * DAY_MS);
    expect((await pruner(60).prune()).runsDeleted).toBe(1);
  });

  test("never removes a running run, however old", async () => {
    const run = await t.runs.create({ name: "marathon", timeoutSeconds: 366 * 24 * 3600 });
    await t.runs.log(run.id, [{ message: "still going" }]);
    t.clock.advance(365 * DAY_MS);

    const report = await pruner(1).prune();

    expect(report.runsDeleted).toBe(0);
    expect(t.runs.get(run.id).status).toBe("running");
    expect(countRows(t.db, "events", `run_id = ${run.id}`)).toBe(2);
  });

  test("removes timed-out, failed and cancelled runs like completed ones", async () => {
    const timedOut = await t.runs.create({ name: "a", timeoutSeconds: 1 });
    t.clock.advance(1000);
    await t.runs.expire([timedOut.id]);
    for (const signal of ["fail", "cancel"] as const) {
      const run = await t.runs.create({ name: "b", timeoutSeconds: 60 });
      await t.runs.end(run.id, signal);
    }
    t.clock.advance(2 * DAY_MS);

    expect((await pruner(1).prune()).runsDeleted).toBe(3);
    expect(countRows(t.db, "runs")).toBe(0);
    expect(countRows(t.db, "events")).toBe(0);
  });

  test("a fractional retention counts in hours: 0.5 days keeps 12 hours", async () => {
    await finishedRun("hourly");
    t.clock.advance(11 * 3600 * 1000);
    expect((await pruner(0.5).prune()).runsDeleted).toBe(0);
    t.clock.advance(2 * 3600 * 1000);
    expect((await pruner(0.5).prune()).runsDeleted).toBe(1);
  });

  test("a removed run answers not found afterwards, and a late log line for it too", async () => {
    const id = await finishedRun("gone");
    t.clock.advance(61 * DAY_MS);
    await pruner(60).prune();
    expect(() => t.runs.get(id)).toThrow(/no job with id/);
    await expect(t.runs.log(id, [{ message: "late" }])).rejects.toThrow(/no job with id/);
  });
});
