import type { Database } from "bun:sqlite";
import { join } from "node:path";
import { openDatabaseReadOnly } from "../../src/storage/database.ts";
import { runStatusbox } from "./binary.ts";
import { checkAgainst } from "./fuzz-check.ts";
import { fingerprintQuery } from "./fuzz-fingerprint.ts";
import { WHAT_REQUESTS_STORE } from "./fuzz-own-writes.ts";
import {
  isHealthy,
  routesOf,
  type FuzzKeys,
  type FuzzRequest,
  type FuzzTarget,
} from "./fuzz-target.ts";
import { exit, logWatch, spawnOnHighPort, stopWithin } from "./fuzz-spawned-daemon.ts";
import type { KeyedDaemon } from "./keyed-daemon.ts";
import { makeTempDir } from "./temp-dir.ts";

export interface ProcessFuzzTarget extends FuzzTarget {
  daemon: KeyedDaemon;
  dbPath: string;
  /** The test's own read-only connection to the daemon's database. */
  db: Database;
}

/** 366 days, the longest timeout: the seeded runs stay running however long the fuzz goes. */
const LONGEST_TIMEOUT_S = 31_622_400;

/**
 * `statusbox serve` as its own process (the binary when STATUSBOX_BIN is set, else the
 * sources through bun), on a fresh database, with a real clock. Each case is checked as in
 * process, and then the daemon itself: it has not exited, logged no error, and still answers
 * its health check. The database is read through a read-only connection of this process.
 *
 * Note: the clock moves, so the daemon writes on its own during the run (runs time out, a
 * schedule misses); the fingerprint leaves those writes out (fuzz-own-writes.ts), and the
 * daemon keeps every event, so retention never trims one.
 */
export async function startProcessFuzzTarget(): Promise<ProcessFuzzTarget> {
  const dir = makeTempDir("statusbox-fuzz-");
  const dbPath = join(dir.path, "statusbox.db");
  const read = await cliKey(dbPath, "--read-only", "--name", "fuzz reader");
  const revoked = await cliKey(dbPath, "--name", "fuzz revoked");
  const revoking = await runStatusbox(["keys", "revoke", String(revoked.id), "--db", dbPath]);
  if (revoking.code !== 0) throw new Error(`keys revoke failed: ${revoking.stderr}`);
  // Retention trimming a run's events would be one more write of the daemon's own.
  const daemon = await spawnOnHighPort(dbPath, ["--max-events-per-run", "1000000000"]);
  try {
    return await watch(daemon, dbPath, dir.cleanup, {
      write: daemon.key,
      read: read.secret,
      revoked: revoked.secret,
    });
  } catch (error) {
    // A start that fails half-way must not leave the daemon running.
    await stopWithin(daemon, 3000);
    dir.cleanup();
    throw error;
  }
}

/** Seeds the daemon's database and wraps the daemon in the checks of each case. */
async function watch(
  daemon: KeyedDaemon,
  dbPath: string,
  cleanup: () => void,
  keys: FuzzKeys,
): Promise<ProcessFuzzTarget> {
  const runIds = [await seedRun(daemon), await seedRun(daemon), await seedRun(daemon)];
  await send(daemon, "POST", `/jobs/${runIds[1]}/complete`, { exitCode: 0 });
  await send(daemon, "POST", `/jobs/${runIds[2]}/fail`, { message: "broken" });
  // The daemon's own writes land among the requests from the start, as in real use.
  await send(daemon, "PUT", "/api/schedules/fuzz-missed", { every: "1s", grace: "1s" });

  const db = openDatabaseReadOnly(dbPath);
  const dataVersion = db.query("PRAGMA data_version");
  const checkRequest = checkAgainst(daemon.url, {
    version: () => (dataVersion.get() as { data_version: number }).data_version,
    print: fingerprintQuery(db, WHAT_REQUESTS_STORE),
  });
  const log = logWatch(daemon);
  let answering = true;

  /** Whether the daemon is still whole: running, answering, and no error in its log. */
  const daemonProblem = async (): Promise<string | null> => {
    answering = exit(daemon) === null && (await isHealthy(daemon.url));
    const exited = exit(daemon);
    // Read whatever else is wrong, so that the log is read with the case that wrote it and a
    // line is never blamed on the next case (a shrinking step).
    const error = log.newErrorLine();
    if (exited !== null) return `the daemon exited (${exited})`;
    if (!answering) return "the daemon stopped answering /healthz";
    return error && `the daemon logged an error: ${error}`;
  };

  const check = async (request: FuzzRequest) => {
    const result = await checkRequest(request);
    // A request left unanswered may have killed the daemon: give its exit a moment to show.
    if (result.status === 0) await Promise.race([daemon.proc.exited, Bun.sleep(500)]);
    const problems = [result.problem, await daemonProblem()].filter((p) => p !== null);
    return { status: result.status, problem: problems.length > 0 ? problems.join("; ") : null };
  };

  return {
    daemon,
    dbPath,
    db,
    url: daemon.url,
    keys,
    routes: await routesOf(daemon.url, daemon.key),
    runIds,
    check,
    healthy: () => isHealthy(daemon.url),
    alive: () => answering && exit(daemon) === null,
    close: async () => {
      db.close();
      await stopWithin(daemon, 3000);
      cleanup();
    },
  };
}

async function cliKey(dbPath: string, ...flags: string[]) {
  const result = await runStatusbox(["keys", "create", "--db", dbPath, ...flags]);
  if (result.code !== 0) throw new Error(`keys create failed: ${result.stderr}`);
  const id = Number(/key (\d+)/.exec(result.stdout)?.[1]);
  return { id, secret: result.stdout.trim().split("\n").at(-1)! };
}

async function send(daemon: KeyedDaemon, method: string, path: string, body: unknown) {
  const headers = { ...daemon.auth, "content-type": "application/json" };
  const response = await fetch(daemon.url + path, {
    method,
    headers,
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  // An end signal answers 200 with no body.
  return (text === "" ? {} : JSON.parse(text)) as { id?: number };
}

async function seedRun(daemon: KeyedDaemon): Promise<number> {
  const created = await send(daemon, "POST", "/api/jobs/", {
    name: "backup",
    timeoutSeconds: LONGEST_TIMEOUT_S,
  });
  return created.id!;
}
