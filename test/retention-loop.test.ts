import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { startDaemon, type DaemonOptions } from "../src/daemon.ts";
import { ManualClock } from "../src/domain/clock.ts";
import { createLogger, silentLogger } from "../src/log/logger.ts";
import { DAY_MS } from "../src/retention/policy.ts";
import { Pruner, type PrunerOptions } from "../src/retention/pruner.ts";
import { RetentionLoop } from "../src/retention/retention-loop.ts";
import { countRows, openRunDb, type RunDb } from "./helpers/run-db.ts";
import { spawnDaemon } from "./helpers/process-daemon.ts";
import { SteadyWriter } from "./helpers/steady-writer.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

let t: RunDb;
beforeEach(() => (t = openRunDb()));
afterEach(() => t.close());

const pruner = (options: Partial<PrunerOptions> = {}) =>
  new Pruner({
    db: t.db,
    writes: t.writes,
    clock: t.clock,
    policy: { days: 1, maxEventsPerRun: 10_000 },
    ...options,
  });

/** `count` finished runs of `lines` log lines each, made old enough to prune. */
async function oldRuns(count: number, lines: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const run = await t.runs.create({ name: `job-${i % 3}`, timeoutSeconds: 60 });
    const batch = Array.from({ length: lines }, (_, j) => ({ message: `line ${j}` }));
    if (lines > 0) await t.runs.log(run.id, batch);
    await t.runs.end(run.id, "complete");
  }
  t.clock.advance(2 * DAY_MS);
}

describe("pruning in the background", () => {
  test("removes old runs in batches of at most batchRows rows each", async () => {
    await oldRuns(30, 20); // 30 runs of 22 events
    const rowsPerWrite: number[] = [];
    const writes = {
      submit: <T>(op: () => T) =>
        t.writes.submit(() => {
          const before = totalChanges();
          const value = op();
          rowsPerWrite.push(totalChanges() - before);
          return value;
        }),
    };

    const report = await pruner({ writes, batchRows: 40 }).prune();

    expect(report).toMatchObject({ runsDeleted: 30, eventsDeleted: 660 });
    expect(countRows(t.db, "runs")).toBe(0);
    expect(countRows(t.db, "events")).toBe(0);
    // 40 rows, and the id floor raised once the newest run goes (see migration 7).
    expect(Math.max(...rowsPerWrite)).toBeLessThanOrEqual(40 + 1);
    expect(rowsPerWrite.length).toBeGreaterThan(660 / 40);
  });

  test("request writes are committed while a long prune is still going", async () => {
    await oldRuns(20, 100);
    let pruneDone = false;
    const pass = pruner({ batchRows: 20 })
      .prune()
      .then((report) => ((pruneDone = true), report));

    const created = await t.runs.create({ name: "meanwhile", timeoutSeconds: 60 });
    expect(pruneDone).toBe(false);
    expect(t.runs.get(created.id).status).toBe("running");
    expect((await pass).runsDeleted).toBe(20);
    expect(t.runs.get(created.id).name).toBe("meanwhile");
  });

  test("a large prune checkpoints and truncates the WAL; a small one leaves it", async () => {
    await oldRuns(10, 50);
    const small = await pruner({ checkpointAfterRows: 10_000 }).prune();
    expect(small.checkpoint).toBe("not-due");
    expect(statSync(`${t.dbPath}-wal`).size).toBeGreaterThan(0);

    await oldRuns(10, 50);
    const large = await pruner({ checkpointAfterRows: 100 }).prune();
    expect(large.checkpoint).toBe("truncated");
    expect(statSync(`${t.dbPath}-wal`).size).toBe(0);
  });

  test("a pass asked to stop ends after its current batch and says so", async () => {
    await oldRuns(10, 100);
    let batches = 0;
    const report = await pruner({ batchRows: 50 }).prune(() => ++batches > 3);
    expect(report.interrupted).toBe(true);
    expect(report.eventsDeleted).toBeLessThanOrEqual(150);
    expect(countRows(t.db, "runs")).toBeGreaterThan(0);
  });

  test("the loop prunes on its own, logs what it removed, and stops cleanly", async () => {
    await oldRuns(3, 2);
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line) });
    const loop = new RetentionLoop(pruner(), logger, { firstDelayMs: 0, intervalMs: 60_000 });

    loop.start();
    await waitFor(() => lines.find((line) => line.includes("retention pruned")), {
      what: "the retention log line",
    });
    await loop.stop();

    expect(countRows(t.db, "runs")).toBe(0);
    expect(lines.join("")).toMatch(/retention pruned runs=3 events=12 events_dropped=0/);
    expect(loop.totals).toMatchObject({ runsDeleted: 3, eventsDeleted: 12, passes: 1 });
  });

  test("a failed pass is logged as a warning and the loop carries on", async () => {
    const lines: string[] = [];
    const logger = createLogger({ write: (line) => lines.push(line) });
    const failing = { prune: () => Promise.reject(new Error("disk I/O error")) } as never;
    const loop = new RetentionLoop(failing, logger);

    expect(await loop.runNow()).toBeNull();
    expect(lines.join("")).toMatch(/WARN .*retention pass failed.*disk I\/O error/);
    await loop.stop();
  });
});

describe("the checkpoint after a large prune", () => {
  test("beside a long reader it gives up at once, and other writes go on", async () => {
    await oldRuns(10, 50);
    // A backup's VACUUM INTO, say: a read that began before the prune, on an old snapshot.
    const reader = new Database(t.dbPath, { readonly: true });
    reader.run("BEGIN");
    reader.query("SELECT count(*) FROM runs").get();
    const writer = await SteadyWriter.start(t.dbPath, 500);
    try {
      // t.db waits 5 s for a lock, as `statusbox prune`'s connection does.
      expect(busyTimeout(t.db)).toBe(5000);
      const started = performance.now();
      const report = await pruner({ checkpointAfterRows: 100 }).prune();
      const took = performance.now() - started;
      const writes = await writer.stop();

      expect(report.runsDeleted).toBe(10);
      expect(report.checkpoint).toBe("deferred");
      expect(writes.failures).toEqual([]);
      expect(writes.writes).toBeGreaterThan(0);
      expect(writes.slowestMs).toBeLessThan(500);
      expect(took).toBeLessThan(1000);
      expect(busyTimeout(t.db)).toBe(5000);
    } finally {
      reader.run("COMMIT");
      reader.close();
    }
  });

  test("a reader of the latest snapshot keeps the log; the checkpoint does not wait", async () => {
    await oldRuns(10, 50);
    let reader: Database | null = null;
    // After each write of the prune, a reader (the TUI polling, say) starts a fresh read: the
    // log is all copied when the checkpoint comes, but still in use.
    const writes = {
      submit: async <T>(op: () => T) => {
        const value = await t.writes.submit(op);
        reader?.run("COMMIT");
        reader?.close();
        reader = new Database(t.dbPath, { readonly: true });
        reader.run("BEGIN");
        reader.query("SELECT count(*) FROM runs").get();
        return value;
      },
    };
    try {
      const started = performance.now();
      const report = await pruner({ writes, checkpointAfterRows: 100 }).prune();

      expect(report.checkpoint).toBe("deferred");
      expect(performance.now() - started).toBeLessThan(1000);
      expect(busyTimeout(t.db)).toBe(5000);
    } finally {
      (reader as Database | null)?.close();
    }
  });
});

const busyTimeout = (db: Database) =>
  db.query<{ timeout: number }, []>("PRAGMA busy_timeout").get()!.timeout;

function totalChanges(): number {
  return t.db.query<{ n: number }, []>("SELECT total_changes() AS n").get()!.n;
}

describe("the daemon's retention", () => {
  test("prunes with the policy it was started with", async () => {
    const clock = new ManualClock();
    const daemon = await startTestDaemonWith({
      clock,
      retention: { days: 2, maxEventsPerRun: 3 },
    });
    try {
      const old = await createRun(daemon);
      await daemon.post(`/jobs/${old}/complete`);
      clock.advance(DAY_MS);
      const chatty = await createRun(daemon);
      await daemon.post(`/api/jobs/${chatty}/events`, ["a", "b", "c", "d"]);
      await daemon.post(`/jobs/${chatty}/complete`);
      clock.advance(DAY_MS + 1);

      const report = await daemon.retention.runNow();

      expect(report).toMatchObject({ runsDeleted: 1, eventsDropped: 3 });
      expect((await daemon.request(`/api/jobs/${old}`)).status).toBe(404);
      const job = (await (await daemon.request(`/api/jobs/${chatty}`)).json()).job;
      expect(job).toMatchObject({ eventCount: 3, eventsDropped: 3 });
    } finally {
      await daemon.close();
    }
  });

  test("serve announces its retention on the ready line", async () => {
    const dir = makeTempDir();
    const daemon = await spawnDaemon(join(dir.path, "s.db"), {
      args: ["--retention-days", "7", "--max-events-per-run", "500"],
    });
    try {
      expect(daemon.log()).toMatch(/statusbox ready .*retention_days=7 max_events_per_run=500/);
    } finally {
      await daemon.stop();
      dir.cleanup();
    }
  });
});

/** startTestDaemon's setup, with daemon options it does not pass on. */
async function startTestDaemonWith(options: Partial<DaemonOptions>) {
  const dir = makeTempDir();
  const daemon = await startDaemon({
    dbPath: join(dir.path, "statusbox.db"),
    host: "127.0.0.1",
    port: 0,
    logger: silentLogger,
    ...options,
  });
  const key = daemon.firstKey!;
  const request = (path: string, init: RequestInit = {}) =>
    fetch(daemon.url + path, {
      ...init,
      headers: { authorization: `ApiKey ${key}`, "content-type": "application/json" },
    });
  return {
    ...daemon,
    request,
    post: (path: string, body?: unknown) =>
      request(path, {
        method: "POST",
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    close: async () => {
      await daemon.stop();
      dir.cleanup();
    },
  };
}

async function createRun(daemon: { post: (path: string, body?: unknown) => Promise<Response> }) {
  const response = await daemon.post("/api/jobs", { name: "nightly", timeoutSeconds: 60 });
  return (await response.json()).id as number;
}
