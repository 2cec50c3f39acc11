import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { runToJson } from "../src/http/serialize.ts";
import { Pruner } from "../src/retention/pruner.ts";
import { countRows, openRunDb, type RunDb } from "./helpers/run-db.ts";

let t: RunDb;
beforeEach(() => (t = openRunDb()));
afterEach(() => t.close());

const pruner = (maxEventsPerRun: number, batchRows = 500) =>
  new Pruner({
    db: t.db,
    writes: t.writes,
    clock: t.clock,
    policy: { days: 60, maxEventsPerRun },
    batchRows,
  });

/** A run with its status event, `lines` log events and, unless open, its end event. */
async function runWithLines(lines: number, open = false): Promise<number> {
  const run = await t.runs.create({ name: "chatty", timeoutSeconds: 3600 });
  const batch = Array.from({ length: lines }, (_, i) => ({ message: `line ${i}` }));
  if (lines > 0) await t.runs.log(run.id, batch);
  if (!open) await t.runs.end(run.id, "complete");
  return run.id;
}

const messages = (runId: number) => t.runs.events(runId, 0, 100_000).map((event) => event.message);

describe("retention by events per run", () => {
  test("drops a finished run's oldest events beyond the limit and records how many", async () => {
    const id = await runWithLines(10); // 12 events: created, 10 lines, completed
    const before = messages(id);

    const report = await pruner(5).prune();

    expect(report.eventsDropped).toBe(7);
    expect(report.runsTrimmed).toBe(1);
    expect(messages(id)).toEqual(before.slice(7));
    const run = t.runs.get(id);
    expect(run.eventCount).toBe(5);
    expect(run.eventsDropped).toBe(7);
    expect(runToJson(run)).toMatchObject({ eventCount: 5, eventsDropped: 7 });
  });

  test("a second pass changes nothing, and later lines are trimmed and added up", async () => {
    const id = await runWithLines(10);
    await pruner(5).prune();
    expect((await pruner(5).prune()).eventsDropped).toBe(0);

    await t.runs.log(id, [{ message: "late 1" }, { message: "late 2" }]);
    expect((await pruner(5).prune()).eventsDropped).toBe(2);
    expect(t.runs.get(id)).toMatchObject({ eventCount: 5, eventsDropped: 9 });
    expect(messages(id).slice(-2)).toEqual(["late 1", "late 2"]);
  });

  test("leaves runs at or under the limit alone", async () => {
    const exact = await runWithLines(3); // 5 events
    const under = await runWithLines(1);
    await pruner(5).prune();
    expect(t.runs.get(exact)).toMatchObject({ eventCount: 5, eventsDropped: 0 });
    expect(t.runs.get(under)).toMatchObject({ eventCount: 3, eventsDropped: 0 });
  });

  test("never trims a running run", async () => {
    const id = await runWithLines(20, true);
    const report = await pruner(5).prune();
    expect(report.eventsDropped).toBe(0);
    expect(t.runs.get(id)).toMatchObject({ status: "running", eventCount: 21, eventsDropped: 0 });
    expect(countRows(t.db, "events", `run_id = ${id}`)).toBe(21);
  });

  test("finds runs over the limit across many scan windows", async () => {
    const pr = new Pruner({
      db: t.db,
      writes: t.writes,
      clock: t.clock,
      policy: { days: 60, maxEventsPerRun: 3 },
      scanRows: 2,
    });
    const ids: number[] = [];
    for (let i = 0; i < 7; i++) ids.push(await runWithLines(i % 2 === 0 ? 4 : 0));

    const report = await pr.prune();

    expect(report.runsTrimmed).toBe(4);
    for (const id of ids) expect(t.runs.get(id).eventCount).toBeLessThanOrEqual(3);
  });

  test("drops a large excess in batches of at most batchRows rows each", async () => {
    const id = await runWithLines(1000);
    const changesPerWrite: number[] = [];
    const counting = {
      submit: <T>(op: () => T) =>
        t.writes.submit(() => {
          const before = totalChanges();
          const value = op();
          changesPerWrite.push(totalChanges() - before);
          return value;
        }),
    };
    const pr = new Pruner({
      db: t.db,
      writes: counting,
      clock: t.clock,
      policy: { days: 60, maxEventsPerRun: 100 },
      batchRows: 50,
    });

    const report = await pr.prune();

    expect(report.eventsDropped).toBe(902);
    expect(t.runs.get(id).eventCount).toBe(100);
    expect(changesPerWrite.length).toBeGreaterThanOrEqual(19);
    // 50 deleted events plus the one update of the run's counters.
    expect(Math.max(...changesPerWrite)).toBeLessThanOrEqual(51);
  });
});

function totalChanges(): number {
  return t.db.query<{ n: number }, []>("SELECT total_changes() AS n").get()!.n;
}
