/**
 * `bun run bench [--quick]`: builds the binary, then measures, in one run and on temporary
 * databases, the write routes against the no-storage ceiling (wrk, 32 connections, one
 * thread), the timer wheel, restart with a large backlog, start-up, idle memory and database
 * growth. Prints a Markdown table with the targets and writes the same to
 * bench/results/latest.json. `--quick` runs each part for a second or two, for CI.
 *
 * Exits 0 whatever the figures; only a broken part (a server that does not start, wrk
 * missing, failed requests) exits 1.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { runTimerWheelBench } from "./timer-wheel.ts";
import { measureDbGrowth } from "./lib/db-growth.ts";
import { measureHttp, type HttpFigures } from "./lib/http-load.ts";
import { buildRows, formatTable } from "./lib/report.ts";
import { measureRestart } from "./lib/restart.ts";
import { measureStartup } from "./lib/startup.ts";

const quick = process.argv.includes("--quick");
const root = join(import.meta.dir, "..");
const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

requireWrk();
const workDir = mkdtempSync(join(tmpdir(), "statusbox-bench-"));
const startedAt = new Date();
const loadBefore = loadavg()[0]!;

try {
  const binary = await build(join(workDir, "statusbox"));

  const http = await measureHttp({ binary, workDir, quick, progress });
  requireNoErrors(http);

  progress("timer wheel");
  const timerWheel = await runTimerWheelBench({ quick });
  const restart = await measureRestart({
    binary,
    workDir,
    runs: quick ? 50_000 : 1_000_000,
    attempts: quick ? 1 : 3,
    progress,
  });
  progress("start-up and idle memory");
  const startup = await measureStartup({
    binary,
    workDir,
    attempts: quick ? 3 : 7,
    idleMs: quick ? 500 : 2000,
  });
  progress("database growth");
  const dbGrowth = measureDbGrowth(workDir, quick ? 20_000 : 200_000);

  const figures = { http, timerWheel, restart, startup, dbGrowth };
  const rows = buildRows(figures, quick);
  const machine: Machine = {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    bun: Bun.version,
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadavg()[0]!,
  };

  const title = `StatusBox benchmark${quick ? " (quick)" : ""}, ${startedAt.toISOString()}`;
  console.log(`\n${title}\n${describeMachine(machine)}\n\n${formatTable(rows)}\n`);
  const resultsDir = join(root, "bench", "results");
  mkdirSync(resultsDir, { recursive: true });
  const json = { startedAt: startedAt.toISOString(), quick, machine, rows, figures };
  writeFileSync(join(resultsDir, "latest.json"), `${JSON.stringify(json, null, 2)}\n`);
  console.log(`written to bench/results/latest.json`);
} catch (error) {
  console.error(`bench: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

/** Builds with the project's own build script, into the temporary folder. */
async function build(outfile: string): Promise<string> {
  progress("building the binary");
  const proc = Bun.spawn([process.execPath, join(root, "scripts", "build.ts"), outfile], {
    cwd: root,
    stdout: "ignore",
    stderr: "inherit",
  });
  if ((await proc.exited) !== 0) throw new Error("bun scripts/build.ts failed");
  return outfile;
}

function requireWrk(): void {
  if (Bun.which("wrk")) return;
  console.error("bench: wrk is not installed; on Debian or Ubuntu: apt-get install -y wrk");
  process.exit(1);
}

/** Failed requests make the figures meaningless: that is a broken run, not a slow one. */
function requireNoErrors(http: HttpFigures): void {
  const routes = { "POST /jobs/:id": http.logEvent, "POST /api/jobs/": http.create };
  for (const [route, figures] of Object.entries(routes)) {
    for (const [server, result] of Object.entries(figures)) {
      if (result.errors === 0) continue;
      throw new Error(`${route} on ${server}: ${result.errors} failed requests`);
    }
  }
}

interface Machine {
  cpus: number;
  cpuModel: string;
  bun: string;
  loadAverageBefore: number;
  loadAverageAfter: number;
}

/** The load average is printed because other work on the machine skews every figure. */
function describeMachine(machine: Machine): string {
  const before = machine.loadAverageBefore.toFixed(2);
  const after = machine.loadAverageAfter.toFixed(2);
  const cpu = `${machine.cpus} × ${machine.cpuModel}, Bun ${machine.bun}`;
  return `${cpu}, load average ${before} before, ${after} after`;
}
