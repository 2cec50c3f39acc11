/**
 * `bun bench/soak.ts [--minutes 10] [--capacity-seconds 15] [--binary PATH]`
 *
 * The soak: starts the real daemon on a temporary database, measures its capacity for a
 * mixed load (32 clients back to back: creates, single and batched events, end signals,
 * reads of a run, of its events and of the list), then sends the same mix at half that rate,
 * open loop, for --minutes. Each minute it prints the daemon's resident memory, the p50 and
 * p99 latency (from when each request was due, so a stall is not hidden), the WAL and the
 * database size, and errors. At the end it compares the first minute with the last.
 *
 * Runs the sources through bun unless --binary or STATUSBOX_BIN names a compiled binary.
 * Exits 1 if a request failed or got a 5xx; the figures themselves never fail it.
 */
import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { spawnKeyedDaemon } from "../test/helpers/keyed-daemon.ts";
import { percentile, rssMiB } from "../test/helpers/process-stats.ts";
import { makeTempDir } from "../test/helpers/temp-dir.ts";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "10" },
    "capacity-seconds": { type: "string", default: "15" },
    binary: { type: "string" },
  },
});
const minutes = Number(values.minutes);
const capacitySeconds = Number(values["capacity-seconds"]);
if (!(minutes > 0) || !(capacitySeconds > 0)) {
  console.error("soak: --minutes and --capacity-seconds must be numbers above 0");
  process.exit(2);
}
if (values.binary) process.env.STATUSBOX_BIN = values.binary;

/** Open runs the load writes to; ended ones leave, new ones join. */
class RunPool {
  readonly open: number[] = [];
  take(random = Math.random()): number | undefined {
    return this.open[Math.floor(random * this.open.length)];
  }
  remove(id: number): void {
    const at = this.open.indexOf(id);
    if (at >= 0) this.open.splice(at, 1);
  }
}

interface Tally {
  latencies: number[];
  requests: number;
  errors: string[];
}
const newTally = (): Tally => ({ latencies: [], requests: 0, errors: [] });

const dir = makeTempDir("statusbox-soak-");
const dbPath = join(dir.path, "soak.db");
const daemon = await spawnKeyedDaemon(dbPath);
const pool = new RunPool();
let serial = 0;

/** One request of the mix; resolves when answered. `dueAt` is when it should have started. */
async function oneRequest(tally: Tally, dueAt: number): Promise<void> {
  const roll = Math.random();
  const id = pool.take();
  let method = "GET";
  let path = "/api/jobs?limit=20";
  let body: unknown;
  if (roll < 0.12 || id === undefined || (pool.open.length < 50 && roll < 0.5)) {
    method = "POST";
    path = "/api/jobs/";
    // One run in twenty with a short timeout, so the timer wheel works as well.
    const timeoutSeconds = Math.random() < 0.05 ? 2 + Math.random() * 8 : 3600;
    body = { name: `soak-${serial++ % 200}`, timeoutSeconds, version: "1.0" };
  } else if (roll < 0.5) {
    method = "POST";
    path = `/jobs/${id}`;
    body = { message: `line ${serial++} of the job's output, about this long as real ones are` };
  } else if (roll < 0.6) {
    method = "POST";
    path = `/api/jobs/${id}/events`;
    body = { messages: Array.from({ length: 10 }, (_, i) => `batched line ${i}`) };
  } else if (roll < 0.72 || pool.open.length > 2000) {
    method = "POST";
    path = `/jobs/${id}/${["complete", "complete", "fail", "cancel"][serial++ % 4]}`;
    body = { exitCode: 0 };
    pool.remove(id);
  } else if (roll < 0.82) {
    path = `/api/jobs/${id}`;
  } else if (roll < 0.92) {
    path = `/api/jobs/${id}/events?limit=50`;
  }

  try {
    const response = await fetch(daemon.url + path, {
      method,
      headers: daemon.auth,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    tally.requests++;
    tally.latencies.push(performance.now() - dueAt);
    if (response.status >= 500) tally.errors.push(`${method} ${path}: ${response.status}`);
    if (path === "/api/jobs/" && response.status === 200) {
      pool.open.push((JSON.parse(text) as { id: number }).id);
    }
  } catch (error) {
    tally.errors.push(`${method} ${path}: ${String(error)}`);
  }
}

/** Closed loop: 32 clients back to back for `seconds`; answers requests per second. */
async function measureCapacity(seconds: number): Promise<number> {
  const tally = newTally();
  const until = performance.now() + seconds * 1000;
  const client = async () => {
    while (performance.now() < until) await oneRequest(tally, performance.now());
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: 32 }, client));
  if (tally.errors.length > 0) throw new Error(`capacity run failed: ${tally.errors[0]}`);
  return tally.requests / ((performance.now() - started) / 1000);
}

function fileMiB(path: string): number {
  return existsSync(path) ? statSync(path).size / 2 ** 20 : 0;
}

interface MinuteFigures {
  minute: number;
  requests: number;
  rssMiB: number;
  p50: number;
  p99: number;
  walMiB: number;
  dbMiB: number;
  errors: number;
}

function report(minute: number, tally: Tally): MinuteFigures {
  const figures = {
    minute,
    requests: tally.requests,
    rssMiB: rssMiB(daemon.proc.pid) ?? NaN,
    p50: percentile(tally.latencies, 50),
    p99: percentile(tally.latencies, 99),
    walMiB: fileMiB(`${dbPath}-wal`),
    dbMiB: fileMiB(dbPath),
    errors: tally.errors.length,
  };
  console.log(
    `soak: minute ${String(minute).padStart(2)}: ${(figures.requests / 60).toFixed(0)} req/s,`,
    `RSS ${figures.rssMiB.toFixed(1)} MiB, p50 ${figures.p50.toFixed(1)} ms,`,
    `p99 ${figures.p99.toFixed(1)} ms, WAL ${figures.walMiB.toFixed(2)} MiB,`,
    `db ${figures.dbMiB.toFixed(1)} MiB, errors ${figures.errors}`,
  );
  for (const error of tally.errors.slice(0, 3)) console.log(`soak:   ${error}`);
  return figures;
}

/** Open loop at `rate` per second for `minutes`, printing a line per minute. */
async function soak(rate: number): Promise<MinuteFigures[]> {
  const results: MinuteFigures[] = [];
  const tickMs = 1;
  const started = performance.now();
  let tally = newTally();
  let sent = 0;
  let inFlight = 0;
  let dropped = 0;
  for (let minute = 1; minute <= minutes; minute++) {
    const minuteEnds = started + minute * 60_000;
    while (performance.now() < minuteEnds) {
      const due = Math.floor(((performance.now() - started) / 1000) * rate);
      for (; sent < due; sent++) {
        const dueAt = started + (sent / rate) * 1000;
        // A daemon far behind would only pile requests up in the client: count them instead.
        if (inFlight >= 512) {
          dropped++;
          continue;
        }
        inFlight++;
        void oneRequest(tally, dueAt).finally(() => inFlight--);
      }
      await Bun.sleep(tickMs);
    }
    results.push(report(minute, tally));
    if (dropped > 0) console.log(`soak:   ${dropped} requests not sent: 512 already waiting`);
    tally = newTally();
    dropped = 0;
  }
  while (inFlight > 0) await Bun.sleep(10);
  return results;
}

try {
  console.log(`soak: daemon at ${daemon.url}, database ${dbPath}`);
  const capacity = await measureCapacity(capacitySeconds);
  const rate = Math.max(1, Math.round(capacity / 2));
  console.log(
    `soak: capacity ${capacity.toFixed(0)} req/s (32 clients, ${capacitySeconds} s);`,
    `soaking at ${rate} req/s for ${minutes} min`,
  );

  const results = await soak(rate);
  const first = results[0]!;
  const last = results.at(-1)!;
  const walMax = Math.max(...results.map((r) => r.walMiB));
  const errors = results.reduce((n, r) => n + r.errors, 0);
  console.log(
    `soak: first → last minute: RSS ${first.rssMiB.toFixed(1)} →`,
    `${last.rssMiB.toFixed(1)} MiB,`,
    `p50 ${first.p50.toFixed(1)} → ${last.p50.toFixed(1)} ms,`,
    `p99 ${first.p99.toFixed(1)} → ${last.p99.toFixed(1)} ms;`,
    `WAL at most ${walMax.toFixed(2)} MiB;`,
    `${errors} errors`,
  );
  const code = await daemon.stop();
  console.log(`soak: daemon stopped with exit code ${code}`);
  process.exitCode = errors === 0 && code === 0 ? 0 : 1;
} finally {
  if (daemon.proc.exitCode === null) daemon.proc.kill("SIGKILL");
  dir.cleanup();
}
