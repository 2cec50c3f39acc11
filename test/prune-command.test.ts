import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describeReport } from "../src/cli/commands/prune.ts";
import { systemClock } from "../src/domain/clock.ts";
import { DAY_MS, describeDays } from "../src/retention/policy.ts";
import { Pruner } from "../src/retention/pruner.ts";
import { runStatusbox } from "./helpers/binary.ts";
import { spawnDaemon } from "./helpers/process-daemon.ts";
import { countRows, openRunDb, type RunDb } from "./helpers/run-db.ts";

let t: RunDb;
/** Ids of runs that finished 40 days, 20 days and 1 day ago, and one still running. */
let ids: { day40: number; day20: number; day1: number; open: number };

beforeEach(async () => {
  t = openRunDb({ now: Date.now() - 40 * DAY_MS });
  const finished = async (lines: number) => {
    const run = await t.runs.create({ name: "nightly", timeoutSeconds: 400 * 24 * 3600 });
    const batch = Array.from({ length: lines }, (_, i) => ({ message: `line ${i}` }));
    await t.runs.log(run.id, batch);
    await t.runs.end(run.id, "complete");
    return run.id;
  };
  const open = (await t.runs.create({ name: "forever", timeoutSeconds: 366 * 24 * 3600 })).id;
  const day40 = await finished(3);
  t.clock.advance(20 * DAY_MS);
  const day20 = await finished(30);
  t.clock.advance(19 * DAY_MS);
  const day1 = await finished(3);
  ids = { day40, day20, day1, open };
  await t.closeDb();
});
afterEach(() => t.close());

const runIds = () => {
  const db = new Database(t.dbPath, { readonly: true });
  try {
    return db
      .query<{ id: number }, []>("SELECT id FROM runs ORDER BY id")
      .all()
      .map((r) => r.id);
  } finally {
    db.close();
  }
};

describe("statusbox prune", () => {
  test("--older-than 30d removes runs that finished before then and prints what it removed", async () => {
    const result = await runStatusbox(["prune", "--older-than", "30d", "--db", t.dbPath]);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Pruned ${t.dbPath}:`);
    expect(result.stdout).toMatch(
      /removed 1 run finished more than 30 days ago \(before \d{4}-\d\d-\d\dT[\d:.]+Z\), with 5 events/,
    );
    expect(result.stdout).toContain("no finished run over 10,000 events");
    expect(runIds()).toEqual([ids.open, ids.day20, ids.day1]);
  });

  test("--older-than 12h takes hours; running runs stay however old", async () => {
    const result = await runStatusbox(["prune", "--older-than", "12h", "--db", t.dbPath]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/removed 3 runs finished more than 12 hours ago/);
    expect(runIds()).toEqual([ids.open]);
  });

  test("without --older-than it uses the retention of the config file", async () => {
    const config = join(t.dir, "statusbox.toml");
    writeFileSync(config, "[retention]\ndays = 30\nmax_events_per_run = 4\n");
    const result = await runStatusbox(["prune", "--config", config, "--db", t.dbPath]);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/removed 1 run finished more than 30 days ago/);
    expect(result.stdout).toContain("dropped 29 oldest events from 2 runs over 4 events");
    expect(runIds()).toEqual([ids.open, ids.day20, ids.day1]);
  });

  test("--max-events-per-run trims large finished runs and the run records the drop", async () => {
    const result = await runStatusbox([
      "prune",
      "--older-than",
      "60d",
      "--max-events-per-run",
      "10",
      "--db",
      t.dbPath,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("no run finished more than 60 days ago");
    expect(result.stdout).toContain("dropped 22 oldest events from 1 run over 10 events");

    const db = new Database(t.dbPath, { readonly: true });
    const row = db
      .query<{ event_count: number; events_dropped: number }, [number]>(
        "SELECT event_count, events_dropped FROM runs WHERE id = ?",
      )
      .get(ids.day20);
    const stored = countRows(db, "events", `run_id = ${ids.day20}`);
    db.close();
    expect(row).toEqual({ event_count: 10, events_dropped: 22 });
    expect(stored).toBe(10);
  });

  test("a bad --older-than is refused with the usage and exit code 2", async () => {
    for (const bad of ["30", "thirty days", "-1d", "1s", "90s"]) {
      const result = await runStatusbox(["prune", `--older-than=${bad}`, "--db", t.dbPath]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `--older-than must be a number and a unit of m, h, d or w (90m, 12h, 30d, 2w), not '${bad}'`,
      );
      expect(result.stderr).toContain("Usage: statusbox prune");
    }
    const zero = await runStatusbox(["prune", "--max-events-per-run", "0", "--db", t.dbPath]);
    expect(zero.code).toBe(2);
    expect(zero.stderr).toContain("--max-events-per-run must be a whole number greater than 0");
    expect(runIds()).toHaveLength(4);
  });

  test("an age of 0 or beyond 100 years is a usage error naming the range; nothing is removed", async () => {
    for (const bad of ["0d", "0m", "0.0w", "99999999999d", "36501d", "999999999999999w"]) {
      const result = await runStatusbox(["prune", "--older-than", bad, "--db", t.dbPath]);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `--older-than must be more than 0 and at most 36500d (100 years), not '${bad}'`,
      );
      expect(result.stderr).not.toContain("Invalid Date");
    }
    const days = await runStatusbox(["prune", "--retention-days", "99999999999", "--db", t.dbPath]);
    expect(days.code).toBe(2);
    expect(days.stderr).toContain("--retention-days must be at most 36500");
    expect(runIds()).toHaveLength(4);

    const century = await runStatusbox(["prune", "--older-than", "36500d", "--db", t.dbPath]);
    expect(century.code).toBe(0);
    expect(century.stdout).toContain("no run finished more than 36500 days ago");
  });

  test("a config file's retention beyond 100 years is refused, naming the key", async () => {
    const config = join(t.dir, "statusbox.toml");
    writeFileSync(config, "[retention]\ndays = 1e12\n");
    const result = await runStatusbox(["prune", "--config", config, "--db", t.dbPath]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("retention.days must be at most 36500 (100 years)");
  });

  test("a pruner given an age longer than dates go cuts off at 1970, not at Invalid Date", async () => {
    const open = openRunDb();
    try {
      const policy = { days: 1e12, maxEventsPerRun: 10 };
      const pruner = new Pruner({ db: open.db, writes: open.writes, clock: systemClock, policy });
      const report = await pruner.prune();
      expect(report.cutoff).toBe(0);
      expect(describeReport("x.db", report, policy.days, 10)).toContain("1970-01-01");
    } finally {
      await open.close();
    }
  });

  test("a --db that cannot be opened is one clear error, exit 1", async () => {
    const result = await runStatusbox(["prune", "--db", t.dir]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `statusbox: cannot open database ${t.dir}: that path is a folder`,
    );
    expect(result.stderr).not.toContain("    at ");
  });

  test("works while the daemon serves the same database", async () => {
    const daemon = await spawnDaemon(t.dbPath);
    try {
      const result = await runStatusbox(["prune", "--older-than", "30d", "--db", t.dbPath]);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/removed 1 run /);
      const key = (await runStatusbox(["keys", "create", "--db", t.dbPath])).stdout
        .trim()
        .split("\n")
        .at(-1)!;
      const headers = { authorization: `ApiKey ${key}` };
      expect((await fetch(`${daemon.url}/api/jobs/${ids.day40}`, { headers })).status).toBe(404);
      expect((await fetch(`${daemon.url}/api/jobs/${ids.day20}`, { headers })).status).toBe(200);
    } finally {
      await daemon.stop();
    }
  });
});

test("the report counts the alerts it removed, and says nothing of alerts when there were none", () => {
  const report = {
    cutoff: Date.UTC(2026, 0, 1),
    runsDeleted: 0,
    eventsDeleted: 0,
    alertsDeleted: 3,
    alertAttemptsDeleted: 7,
    runsTrimmed: 0,
    eventsDropped: 0,
    checkpoint: "not-due" as const,
    interrupted: false,
  };
  expect(describeReport("x.db", report, 30, 10)).toContain(
    "removed 3 alerts settled before 2026-01-01T00:00:00.000Z, with 7 delivery attempts",
  );
  expect(describeReport("x.db", { ...report, alertsDeleted: 0 }, 30, 10)).not.toContain("alert");
});

test("the report says whether the write-ahead log was truncated, or why not", () => {
  const report = {
    cutoff: Date.UTC(2026, 0, 1),
    runsDeleted: 12_000,
    eventsDeleted: 0,
    alertsDeleted: 0,
    alertAttemptsDeleted: 0,
    runsTrimmed: 0,
    eventsDropped: 0,
    interrupted: false,
  };
  const described = (checkpoint: "not-due" | "truncated" | "deferred") =>
    describeReport("x.db", { ...report, checkpoint }, 30, 10);
  expect(described("truncated")).toContain("  checkpointed and truncated the write-ahead log\n");
  expect(described("deferred")).toContain(
    "  could not truncate the write-ahead log now: another connection was using it; " +
      "later checkpoints will\n",
  );
  expect(described("not-due")).not.toContain("write-ahead log");
});

test("an age reads in the largest whole unit, down to seconds for a fraction of a minute", () => {
  expect(describeDays(30)).toBe("30 days");
  expect(describeDays(1)).toBe("1 day");
  expect(describeDays(0.5)).toBe("12 hours");
  expect(describeDays(90 / (24 * 60))).toBe("1.5 hours");
  expect(describeDays(1 / (24 * 60))).toBe("1 minute");
  // --retention-days takes fractions of a day: 0.0005 days is 43.2 seconds.
  expect(describeDays(0.0005)).toBe("43.2 seconds");
});
