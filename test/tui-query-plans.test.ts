import type { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import { ManualClock } from "../src/domain/clock.ts";
import { openWatchDatabase } from "../tui/data/watch-db.ts";
import { watchSourceOf, type WatchSource } from "../tui/data/watch-source.ts";
import type { WatchAction } from "../tui/model/actions.ts";
import { WatchController } from "../tui/model/watch-controller.ts";
import { recordStatements, type RecordedStatement } from "./helpers/statement-recorder.ts";
import { makeTuiDb, T0, type TuiDb } from "./helpers/tui-db.ts";

/**
 * The query plans of the SQL the watch UI really runs: every statement its read path
 * prepares while a controller is driven through the views, explained with the parameters it
 * was run with. None may read the whole runs or events table.
 */
// Many entries per name and per status in each index. The daemon never runs ANALYZE, so
// SQLite plans from the schema alone: these are the plans it picks at any size.
const RUNS = 3000;
const NAMES = 100;
const DAY_MS = 86_400_000;

let fixture: TuiDb;
let reader: Database;
/** A connection of its own for EXPLAIN, so that explaining records nothing. */
let explainer: Database;
let source: WatchSource;
let recorded: Map<string, RecordedStatement>;

beforeAll(() => {
  fixture = makeTuiDb();
  const statuses = ["completed", "completed", "failed", "timed_out", "cancelled", "completed"];
  // Ten days of runs of 100 names, newest running: windows, statuses and names all select.
  fixture.db.transaction(() =>
    fixture.addMany(RUNS, (i) => ({
      name: `job-${String(i % NAMES).padStart(2, "0")}`,
      createdAt: T0 - 10 * DAY_MS + Math.floor((i * 10 * DAY_MS) / RUNS),
      status: i >= RUNS - 5 ? "running" : statuses[i % statuses.length],
      events: [
        { at: T0 - DAY_MS, kind: "status", message: "running" },
        { at: T0 - DAY_MS + 1, kind: "log", message: `line of run ${i}` },
      ],
    })),
  )();

  reader = openWatchDatabase(fixture.path);
  recorded = recordStatements(reader);
  source = watchSourceOf(reader, fixture.path);
  const clock = new ManualClock(T0);
  driveTheUi(new WatchController(source, clock), clock);
  explainer = openWatchDatabase(fixture.path);
});

afterAll(() => {
  source.close();
  explainer.close();
  fixture.cleanup();
});

/** What a person does in a session: every view, every filter, paging in each. */
function driveTheUi(controller: WatchController, clock: ManualClock): void {
  const run = (...actions: WatchAction[]) => {
    for (const action of actions) {
      controller.dispatch(action);
      expect(controller.screen.error).toBeNull();
    }
  };
  const moves = (...moves: Extract<WatchAction, { type: "move" }>["move"][]) =>
    run(...moves.map((move) => ({ type: "move" as const, move })));
  const type = (text: string) =>
    run(...[...text].map((char) => ({ type: "filterType" as const, text: char })));

  controller.resize(80, 24);
  clock.advance(1000);
  controller.poll();
  moves("down", "pageDown", "pageDown", "up", "pageUp", "bottom", "pageUp", "top");

  // A write by the daemon: the poll rereads the page, the counts and the event rate.
  fixture.add({ name: "job-07", createdAt: T0, events: [{ at: T0, kind: "log", message: "new" }] });
  clock.advance(1000);
  controller.poll();

  // s: the first status, then the next, paging in each.
  run({ type: "cycleStatus" });
  moves("pageDown", "down", "bottom", "pageUp", "top");
  run({ type: "cycleStatus" }, { type: "cycleStatus" });
  moves("pageDown", "up");

  // A part of a name matching 11 names (merged), then "job", matching all 100: more than
  // are merged, so that one takes the documented LIKE fallback.
  run({ type: "back" }, { type: "filterStart" });
  type("job-1");
  moves("pageDown", "pageDown", "bottom", "pageUp", "top");
  run({ type: "filterErase" }, { type: "filterErase" });
  moves("pageDown", "bottom", "pageUp");
  run({ type: "filterAccept" }, { type: "cycleStatus" });
  moves("pageDown", "top");
  run({ type: "back" });

  // A run's detail, scrolled, while a new event arrives.
  moves("down");
  run({ type: "open" });
  moves("up", "pageUp", "top", "pageDown", "bottom");
  fixture.store.insertEvents([{ runId: RUNS, at: T0 + 1, kind: "log", message: "more" }]);
  clock.advance(1000);
  controller.poll();
  run({ type: "back" });

  // The names view, then one name's runs (the exact-name filter).
  run({ type: "toggleNames" });
  moves("down", "pageDown", "bottom", "top", "down");
  run({ type: "open" });
  moves("pageDown", "bottom", "top");
  run({ type: "cycleStatus" });
  moves("pageDown");
  run({ type: "back" });

  // w: every window of the counts, 1h, 7d and all (which keeps counts of old runs).
  for (let i = 0; i < 4; i++) run({ type: "cycleWindow" });
  fixture.add({ name: "job-08", createdAt: T0 });
  clock.advance(1000);
  controller.poll();
}

/** The plan of one recorded statement, as EXPLAIN QUERY PLAN details, one per step. */
function planOf(statement: RecordedStatement): string[] {
  const explain = explainer.query<{ detail: string }, never[]>(
    `EXPLAIN QUERY PLAN ${statement.sql}`,
  );
  return explain.all(...((statement.params ?? []) as never[])).map((row) => row.detail);
}

/** A step that reads the whole table, or the whole index it names. */
const FULL_SCAN = /^SCAN (runs|events)\b/;
/** A walk along the primary key from an id bound: it reads rows until LIMIT are kept. */
const ID_WALK = /^SEARCH (runs|events) USING INTEGER PRIMARY KEY \(rowid[<>]\?\)$/;

/**
 * Statements that may walk the primary key: every row read is a row returned, because the id
 * bound is their only condition (a page of all runs; the events since the last one counted;
 * the first event of the rate window, found by a binary search of such one-row seeks).
 */
const ONLY_AN_ID_BOUND =
  /^SELECT [\w*, ]+ FROM (runs|events) WHERE id [<>]=? \S+ ORDER BY id( ASC| DESC)? LIMIT \S+$/;
/**
 * The name filter's documented fallback (run-pager.ts): with more than 64 matching names, or
 * more than 5000 names, it walks runs in id order testing LIKE. Fast while matches are common,
 * the whole table when none match; the price of not keeping a full-text index.
 */
const LIKE_FALLBACK =
  /^SELECT \* FROM runs WHERE id [<>] \S+ AND name LIKE \S+ ESCAPE '\\' ORDER BY id \w+ LIMIT/;

/** Each kind of read, and the index its plan must use (the session must have run it). */
const EXPECTED_INDEX: [RegExp, string][] = [
  [/FROM runs WHERE id [<>] \$bound AND status = \$status ORDER/, "INDEX runs_status (status=?"],
  [/FROM runs WHERE id [<>] \$bound AND name = \$name ORDER/, "INDEX runs_name (name=?"],
  [/AND status = \$status AND name = \$name ORDER/, "INDEX runs_name (name=?"],
  [/FROM events WHERE run_id = \? ORDER BY id DESC/, "INDEX events_run (run_id=?)"],
  [/FROM events WHERE run_id = \? ORDER BY id LIMIT \? OFFSET/, "INDEX events_run (run_id=?)"],
  [/count\(\*\) AS n FROM events WHERE run_id/, "COVERING INDEX events_run (run_id=?)"],
  [/count\(\*\) AS v FROM runs WHERE status = \? AND id >= \?$/, "COVERING INDEX runs_status"],
  [/FROM runs WHERE created_at >= \?/, "COVERING INDEX runs_created"],
  [/WITH RECURSIVE run_names/, "(name>?)"],
  [/FROM runs WHERE name = \$name AND created_at > \$week/, "INDEX runs_name_created"],
];

const oneLine = (sql: string) => sql.replace(/\s+/g, " ").trim();

test("no statement of the watch UI's read path scans the runs or events table", () => {
  const statements = [...recorded.values()];
  const scans = statements
    .filter((statement) => planOf(statement).some((step) => FULL_SCAN.test(step)))
    .map((statement) => oneLine(statement.sql));
  expect(scans).toEqual([]);

  const walks = statements
    .filter((statement) => planOf(statement).some((step) => ID_WALK.test(step)))
    .map((statement) => oneLine(statement.sql));
  const filteredWalks = walks.filter((sql) => !ONLY_AN_ID_BOUND.test(sql));
  expect(filteredWalks.filter((sql) => !LIKE_FALLBACK.test(sql))).toEqual([]);
  // The session did take the fallback, so the allowance above is not for nothing.
  expect(filteredWalks.some((sql) => LIKE_FALLBACK.test(sql))).toBe(true);
});

test("each kind of read goes through its index", () => {
  for (const [pattern, index] of EXPECTED_INDEX) {
    const matching = [...recorded.values()].filter((s) => pattern.test(oneLine(s.sql)));
    expect({ pattern: String(pattern), runs: matching.length > 0 }).toEqual({
      pattern: String(pattern),
      runs: true,
    });
    for (const statement of matching) {
      expect({ sql: oneLine(statement.sql), plan: planOf(statement).join("\n") }).toMatchObject({
        plan: expect.stringContaining(index),
      });
    }
  }
});
