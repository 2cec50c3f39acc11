import type { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { FAILING_CHANNELS_SQL } from "../src/alerts/failing-channels.ts";
import { ChangeDetector } from "../tui/data/change-detector.ts";
import { distinctValues } from "../tui/data/distinct-values.ts";
import { EventReader } from "../tui/data/event-reader.ts";
import { NEWEST, OLDEST, RunPager } from "../tui/data/run-pager.ts";
import { openWatchDatabase } from "../tui/data/watch-db.ts";
import { makeTuiDb, T0, type TuiDb } from "./helpers/tui-db.ts";

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

const ids = (runs: { id: number }[]) => runs.map((run) => run.id);
const ALL = { status: null, name: "" };

/** The query plan of `sql`, one line per step, to check which index a query walks. */
function plan(db: Database, sql: string, params: Record<string, string | number>): string {
  return db
    .query<{ detail: string }, Record<string, string | number>>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(params)
    .map((row) => row.detail)
    .join("\n");
}

describe("failing alert channels", () => {
  test("are found by index seeks, never by scanning the whole delivery history", () => {
    const steps = plan(reader, FAILING_CHANNELS_SQL, {});
    expect(steps).toContain("alert_attempts_channel");
    expect(steps).not.toMatch(/SCAN (alert_attempts|a|f|d)\b/);
  });
});

describe("change detection", () => {
  test("sees a commit by another connection, and nothing when nobody wrote", () => {
    const changes = new ChangeDetector(reader);
    expect(changes.changed()).toBe(true);
    expect(changes.changed()).toBe(false);

    reader.query("SELECT * FROM runs").all();
    expect(changes.changed()).toBe(false);

    fixture.add();
    expect(changes.changed()).toBe(true);
    expect(changes.changed()).toBe(false);
  });

  test("sees a status change of an existing run", () => {
    const id = fixture.add();
    const changes = new ChangeDetector(reader);
    changes.changed();
    fixture.store.finishRun(id, "completed", T0 + 1000);
    expect(changes.changed()).toBe(true);
  });
});

describe("paging runs", () => {
  test("pages newest first with keyset seeks in both directions", () => {
    fixture.addMany(10);
    const pager = new RunPager(reader);

    expect(ids(pager.seek(ALL, NEWEST, 3))).toEqual([10, 9, 8]);
    expect(ids(pager.seek(ALL, { direction: "older", before: 8 }, 3))).toEqual([7, 6, 5]);
    expect(ids(pager.seek(ALL, { direction: "newer", after: 5 }, 3))).toEqual([6, 7, 8]);
    expect(ids(pager.seek(ALL, OLDEST, 2))).toEqual([1, 2]);
    expect(pager.seek(ALL, { direction: "older", before: 1 }, 3)).toEqual([]);
  });

  // The indexes each page walks are checked on the real statements: tui-query-plans.test.ts.
  test("filters by status", () => {
    fixture.addMany(6, (i) => ({ status: i % 2 === 0 ? "failed" : "completed" }));
    const pager = new RunPager(reader);
    expect(ids(pager.seek({ status: "failed", name: "" }, NEWEST, 10))).toEqual([5, 3, 1]);
  });

  test("filters by a part of the name in any case, across several names", () => {
    const names = ["nightly-backup", "Backup-db", "transcode", "backup-web"];
    fixture.addMany(8, (i) => ({ name: names[i % names.length] }));
    const pager = new RunPager(reader);

    const runs = pager.seek({ status: null, name: "BACKUP" }, NEWEST, 10);
    expect(ids(runs)).toEqual([8, 6, 5, 4, 2, 1]);
    expect(
      ids(pager.seek({ status: null, name: "backup" }, { direction: "older", before: 5 }, 2)),
    ).toEqual([4, 2]);
    expect(pager.seek({ status: null, name: "nothing-like-it" }, NEWEST, 10)).toEqual([]);
  });

  test("combines the status and the name filters", () => {
    fixture.add({ name: "backup", status: "failed" });
    fixture.add({ name: "backup", status: "completed" });
    fixture.add({ name: "report", status: "failed" });
    const pager = new RunPager(reader);
    expect(ids(pager.seek({ status: "failed", name: "back" }, NEWEST, 10))).toEqual([1]);
  });

  test("falls back to a scan when more names match than it merges, with the same answer", () => {
    fixture.addMany(80, (i) => ({ name: `job-${i}` }));
    fixture.add({ name: "other" });
    const pager = new RunPager(reader);
    const runs = pager.seek({ status: null, name: "JOB-" }, NEWEST, 5);
    expect(ids(runs)).toEqual([80, 79, 78, 77, 76]);
  });

  test("takes % and _ in the filter literally, in the scan too", () => {
    // 70 matching names: more than are merged, so this goes through LIKE.
    fixture.addMany(70, (i) => ({ name: `${i}%_done` }));
    fixture.addMany(5, (i) => ({ name: `plain-${i}` }));
    const pager = new RunPager(reader);
    expect(ids(pager.seek({ status: null, name: "%_" }, NEWEST, 3))).toEqual([70, 69, 68]);
    expect(ids(pager.seek({ status: null, name: "0%_" }, NEWEST, 100))).toHaveLength(7);
  });

  test("sees names added after the name list was read, once invalidated", () => {
    const pager = new RunPager(reader);
    expect(pager.seek({ status: null, name: "fresh" }, NEWEST, 5)).toEqual([]);
    fixture.add({ name: "fresh-job" });
    pager.invalidate();
    expect(ids(pager.seek({ status: null, name: "fresh" }, NEWEST, 5))).toEqual([1]);
  });

  test("keeps a status it does not know as text", () => {
    fixture.add({ status: "missed" });
    const run = new RunPager(reader).get(1);
    expect(run?.status).toBe("missed");
  });

  test("reads a missed run's expected time and missed windows", () => {
    const id = fixture.add({ status: "missed" });
    fixture.db.run("UPDATE runs SET expected_at = ?, missed_windows = 2 WHERE id = ?", [T0, id]);
    const run = new RunPager(reader).get(id);
    expect(run).toMatchObject({ expectedAt: T0, missedWindows: 2 });
  });
});

describe("distinct values through the index", () => {
  test("lists each name once, in order, up to the cap", () => {
    fixture.addMany(9, (i) => ({ name: ["c", "a", "b"][i % 3] }));
    expect(distinctValues(reader, "name", 10)).toEqual(["a", "b", "c"]);
    expect(distinctValues(reader, "name", 2)).toEqual(["a", "b"]);
  });
});

describe("events of a run", () => {
  test("tails, slices by position and counts", () => {
    const run = fixture.add({
      events: Array.from({ length: 6 }, (_, i) => ({
        at: T0 + i,
        kind: "log" as const,
        message: `line ${i}`,
      })),
    });
    fixture.add({ events: [{ at: T0, kind: "log", message: "other run" }] });
    const events = new EventReader(reader);

    expect(events.tail(run, 2).map((e) => e.message)).toEqual(["line 4", "line 5"]);
    expect(events.slice(run, 1, 2).map((e) => e.message)).toEqual(["line 1", "line 2"]);
    expect(events.count(run)).toBe(6);
  });
});
