/**
 * Restart with a large backlog: a database holding N running runs with future deadlines,
 * written directly with SQL on the real schema, then the time from spawning the daemon to a
 * healthy `/healthz`. The daemon listens only after recovery, and its ready line reports how
 * many deadlines it scheduled, which must be all of them.
 */
import { Database } from "bun:sqlite";
import { join } from "node:path";
import { migrate } from "../../src/storage/migrations.ts";
import { startDaemon } from "./daemon-process.ts";
import { rssBytes, waitForLog } from "./processes.ts";

export interface RestartFigures {
  openRuns: number;
  buildMs: number;
  /** Spawn to healthy, each attempt; the median is what the table shows. */
  readyMs: number[];
  medianReadyMs: number;
  rssBytes: number | null;
}

const BATCH = 100_000;

export async function measureRestart(options: {
  binary: string;
  workDir: string;
  runs: number;
  attempts: number;
  progress: (line: string) => void;
}): Promise<RestartFigures> {
  const { binary, workDir, runs } = options;
  const dbPath = join(workDir, "restart.db");

  options.progress(`restart: writing ${runs.toLocaleString("en-US")} running runs`);
  const buildStarted = performance.now();
  buildOpenRuns(dbPath, runs);
  const buildMs = performance.now() - buildStarted;

  const readyMs: number[] = [];
  let rss: number | null = null;
  for (let attempt = 0; attempt < options.attempts; attempt++) {
    options.progress(`restart: start ${attempt + 1} of ${options.attempts}`);
    const daemon = await startDaemon(binary, dbPath, { workDir, timeoutMs: 120_000 });
    try {
      const ready = await waitForLog(daemon, /statusbox ready .*open_runs=(\d+)/);
      if (Number(ready[1]) !== runs) {
        throw new Error(`the daemon scheduled ${ready[1]} of ${runs} open runs`);
      }
      readyMs.push(daemon.readyMs);
      rss = rssBytes(daemon.proc.pid);
    } finally {
      await daemon.stop();
    }
  }
  return { openRuns: runs, buildMs, readyMs, medianReadyMs: median(readyMs), rssBytes: rss };
}

/**
 * Writes `count` running runs, each with its creation event, in transactions of 100,000.
 * Deadlines are spread from ten minutes to thirty days ahead, so that recovery fills every
 * level of the timer wheel rather than one slot.
 */
export function buildOpenRuns(path: string, count: number): void {
  const db = new Database(path, { create: true, strict: true });
  // A throwaway file: no journal and no syncs; a crash mid-build leaves a file we rebuild.
  db.run("PRAGMA journal_mode = OFF");
  db.run("PRAGMA synchronous = OFF");
  db.run("PRAGMA cache_size = -200000");
  migrate(db);

  // The indexes are set aside and rebuilt at the end: one sort each instead of a million
  // inserts in random order. The file ends with exactly the schema the daemon created.
  const indexes = db
    .query<{ name: string; sql: string }, []>(
      `SELECT name, sql FROM sqlite_master
       WHERE type = 'index' AND tbl_name IN ('runs', 'events') AND sql IS NOT NULL`,
    )
    .all();
  for (const index of indexes) db.run(`DROP INDEX "${index.name}"`);

  const now = Date.now();
  const insertRuns = db.prepare(
    `WITH RECURSIVE n(i) AS (SELECT $from UNION ALL SELECT i + 1 FROM n WHERE i < $to),
       t(i, timeout, created) AS (
         SELECT i, 600 + (i * 7919) % 2592000, $now - (i * 31) % 60000 FROM n)
     INSERT INTO runs (id, name, version, status, timeout_seconds, created_at, deadline_at,
                       event_count)
     SELECT i, 'job-' || (i % 200), '1.0.0', 'running', timeout, created,
            created + timeout * 1000, 1
     FROM t`,
  );
  const insertEvents = db.prepare(
    `INSERT INTO events (run_id, at, kind, message)
     SELECT id, created_at, 'status', 'running (timeout ' || timeout_seconds || 's)'
     FROM runs WHERE id BETWEEN $from AND $to`,
  );

  for (let from = 1; from <= count; from += BATCH) {
    const to = Math.min(count, from + BATCH - 1);
    db.transaction(() => {
      insertRuns.run({ from, to, now });
      insertEvents.run({ from, to });
    })();
  }
  db.transaction(() => {
    for (const index of indexes) db.run(index.sql);
  })();
  db.run("PRAGMA journal_mode = WAL");
  db.close();
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
