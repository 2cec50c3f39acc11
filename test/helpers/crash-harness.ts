import { Database } from "bun:sqlite";
import { join } from "node:path";
import { generateSecret } from "../../src/auth/secrets.ts";
import { checkDatabase } from "./crash-check.ts";
import { crashClient, newLedger, seededRandom, type Ledger } from "./crash-load.ts";
import { spawnKeyedDaemon } from "./keyed-daemon.ts";
import { makeTempDir } from "./temp-dir.ts";

export interface CrashHarnessOptions {
  cycles: number;
  /** Concurrent clients writing while the daemon is killed (32). */
  clients?: number;
  /** The kill comes at a random moment this many milliseconds after the daemon is ready. */
  loadMs?: [number, number];
  /** Start a fresh database after this many cycles, so long runs stay fast (never). */
  cyclesPerDatabase?: number;
  seed?: number;
  /** Called after each cycle's check, for progress lines. */
  onCycle?: (report: CrashReport) => void;
}

export interface CrashReport {
  seed: number;
  cycles: number;
  /** Writes the daemon answered 200 (a batch counts once per message). */
  acknowledged: number;
  /** Acknowledged writes found as sent, summed over every check (each cycle rechecks all). */
  checked: number;
  problems: string[];
}

/** A timer wheel fires within a second; the margin covers a loaded machine too. */
const TIMEOUT_MARGIN_MS = 2000;

/**
 * The crash harness: starts the real daemon, drives it with concurrent clients, kills it
 * with SIGKILL at a random moment, and checks the database against what was acknowledged
 * (see checkDatabase); then restarts it on the same database and does it again. A last
 * start lets the short timeouts pass and checks that each was enforced.
 */
export async function runCrashHarness(options: CrashHarnessOptions): Promise<CrashReport> {
  const seed = options.seed ?? Math.floor(Math.random() * 2 ** 31);
  const random = seededRandom(seed);
  const [minLoad, maxLoad] = options.loadMs ?? [150, 1200];
  const perDatabase = options.cyclesPerDatabase ?? Infinity;
  const key = generateSecret();
  const report: CrashReport = { seed, cycles: 0, acknowledged: 0, checked: 0, problems: [] };

  let dir = makeTempDir("statusbox-crash-");
  let ledger = newLedger();
  try {
    for (let cycle = 0; cycle < options.cycles && report.problems.length === 0; cycle++) {
      if (cycle > 0 && cycle % perDatabase === 0) {
        dir.cleanup();
        dir = makeTempDir("statusbox-crash-");
        ledger = newLedger();
      }
      const dbPath = join(dir.path, "crash.db");
      const before = ledger.acknowledged;
      const spawnedAt = Date.now();
      const daemon = await spawnKeyedDaemon(dbPath, { key });

      let stopped = false;
      const ctx = { url: daemon.url, auth: daemon.auth, ledger, random, tag: `c${cycle}` };
      const clients = Array.from({ length: options.clients ?? 32 }, (_, n) =>
        crashClient({ ...ctx, stopped: () => stopped }, n),
      );
      await Bun.sleep(minLoad + random() * (maxLoad - minLoad));
      daemon.proc.kill("SIGKILL");
      const killedAt = Date.now();
      stopped = true;
      await Promise.all(clients);
      await daemon.proc.exited;

      const enforcedBefore = Math.max(spawnedAt, killedAt - TIMEOUT_MARGIN_MS);
      const result = checkDatabase(dbPath, ledger, enforcedBefore);
      record(report, ledger, result, `cycle ${cycle}`);
      report.cycles++;
      report.acknowledged += ledger.acknowledged - before;
      options.onCycle?.(report);
    }
    if (report.problems.length === 0) await checkLastTimeouts(dir.path, ledger, key, report);
  } finally {
    dir.cleanup();
  }
  return report;
}

/** Restarts once more, waits out the short timeouts, stops cleanly and checks them all. */
async function checkLastTimeouts(dir: string, ledger: Ledger, key: string, report: CrashReport) {
  const dbPath = join(dir, "crash.db");
  const daemon = await spawnKeyedDaemon(dbPath, { key });
  const db = new Database(dbPath, { readonly: true });
  const latest = db
    .query(
      "SELECT max(deadline_at) AS at FROM runs WHERE status = 'running' AND timeout_seconds < 10",
    )
    .get() as { at: number | null };
  db.close();

  const waitUntil = (latest.at ?? 0) + TIMEOUT_MARGIN_MS;
  if (waitUntil > Date.now()) await Bun.sleep(waitUntil - Date.now());
  const stoppedAt = Date.now();
  const code = await daemon.stop("SIGTERM");
  if (code !== 0) report.problems.push(`the last start exited ${code} on SIGTERM`);
  record(
    report,
    ledger,
    checkDatabase(dbPath, ledger, stoppedAt - TIMEOUT_MARGIN_MS),
    "last start",
  );
}

function record(
  report: CrashReport,
  ledger: Ledger,
  result: { problems: string[]; checked: number },
  when: string,
) {
  report.checked += result.checked;
  for (const problem of [...ledger.problems.splice(0), ...result.problems]) {
    report.problems.push(`${when}: ${problem}`);
  }
}
