/**
 * `bun bench/run-wrapper.ts [--runs N]`: how much `statusbox run` slows a chatty command.
 * Builds the binary, starts a daemon on a temporary database (durability full), and times
 * commands that print 100,000 lines: bare, bare piped through `cat` (what any tee costs the
 * command: writing into a pipe), and wrapped; output goes to /dev/null in every case.
 *
 * - wall: from spawn to exit, median of N runs;
 * - command: the command's own time, measured inside it with `date +%s%N`, which shows
 *   whether the reporting slowed the command itself;
 * - the daemon's CPU time per wrapped run (from /proc), the cost of storing the lines;
 * - it also checks that every line arrived as an event, in order.
 *
 * Exits 0 whatever the figures; only a broken run (lines missing) exits 1.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { StatusBoxClient } from "../src/client/index.ts";
import { startDaemon } from "./lib/daemon-process.ts";

const LINES = 100_000;
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const root = join(import.meta.dir, "..");
const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** Commands that print LINES lines, and line i (from 0) as each prints it. */
const COMMANDS: Record<string, { script: string; line: (i: number) => string }> = {
  "seq (as fast as a pipe takes it)": { script: `seq 1 ${LINES}`, line: (i) => String(i + 1) },
  "sh loop (echo per line)": {
    script: `i=0; while [ $i -lt ${LINES} ]; do echo "line $i"; i=$((i+1)); done`,
    line: (i) => `line ${i}`,
  },
};

const workDir = mkdtempSync(join(tmpdir(), "statusbox-bench-run-"));
try {
  const binary = await build(join(workDir, "statusbox"));
  const daemon = await startDaemon(binary, join(workDir, "bench.db"), { workDir });
  const client = new StatusBoxClient({ url: daemon.url, key: daemon.key });
  const env = { ...process.env, STATUSBOX_URL: daemon.url, STATUSBOX_API_KEY: daemon.key };
  try {
    const overhead = await median(RUNS, () =>
      timed([binary, "run", "--name", "noop", "--timeout", "600", "--", "true"], env),
    );
    console.log(`\nstatusbox run, ${LINES.toLocaleString("en")} lines, median of ${RUNS} runs`);
    const load = loadavg()[0]!.toFixed(2);
    console.log(`${cpus().length} × ${cpus()[0]?.model}, Bun ${Bun.version}, load ${load}`);
    console.log(`wrapper start and end around 'true': ${overhead.wall.toFixed(0)} ms\n`);
    console.log(
      "| command | wall: bare | \\| cat | wrapped | command's own: bare | \\| cat | wrapped |",
    );
    console.log("|---|---|---|---|---|---|---|");
    const cpuNotes: string[] = [];

    for (const [label, { script, line }] of Object.entries(COMMANDS)) {
      progress(label);
      const timing = `s=$(date +%s%N); ${script}; e=$(date +%s%N); echo $((e-s)) > "$T"`;
      const bare = await median(RUNS, () => timed(["sh", "-c", timing], env));
      // Any tee makes the command write into a pipe, which costs more than /dev/null.
      const piped = await median(RUNS, () => timed(["sh", "-c", `(${timing}) | cat`], env));
      const name = `bench ${label}`;
      const daemonBefore = cpuMs(daemon.proc.pid);
      const wrapped = await median(RUNS, () =>
        timed([binary, "run", "--name", name, "--timeout", "600", "--", "sh", "-c", timing], env),
      );
      const daemonCpu = (cpuMs(daemon.proc.pid) - daemonBefore) / RUNS;
      await requireAllLines(client, name, line);
      const ms = (n: number) => `${n.toFixed(0)} ms`;
      const cells = [bare.wall, piped.wall, wrapped.wall, bare.command, piped.command];
      console.log(`| ${label} | ${[...cells, wrapped.command].map(ms).join(" | ")} |`);
      cpuNotes.push(`${label}: the daemon used ${ms(daemonCpu)} of CPU per wrapped run`);
    }
    console.log(`\n${cpuNotes.join("\n")}`);
  } finally {
    await daemon.stop();
  }
} catch (error) {
  console.error(`bench: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

/** Runs a command with stdout and stderr to /dev/null; answers wall and its own time (ms). */
async function timed(argv: string[], env: Record<string, string | undefined>) {
  const timeFile = join(workDir, "command-time");
  const started = performance.now();
  const proc = Bun.spawn(argv, {
    env: { ...env, T: timeFile },
    stdout: "ignore",
    stderr: "ignore",
  });
  const code = await proc.exited;
  const wall = performance.now() - started;
  if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}`);
  let command = 0;
  try {
    command = Number(readFileSync(timeFile, "utf8").trim()) / 1e6;
  } catch {
    // `true` writes no time.
  }
  return { wall, command };
}

async function median(n: number, sample: () => Promise<{ wall: number; command: number }>) {
  const samples: { wall: number; command: number }[] = [];
  for (let i = 0; i < n; i++) samples.push(await sample());
  const middle = (values: number[]) => values.sort((a, b) => a - b)[n >> 1]!;
  return {
    wall: middle(samples.map((s) => s.wall)),
    command: middle(samples.map((s) => s.command)),
  };
}

/** The last wrapped run of `name` must hold every line, in order. */
async function requireAllLines(
  client: StatusBoxClient,
  name: string,
  line: (i: number) => string,
): Promise<void> {
  const { jobs } = await client.list({ name, limit: 1 });
  const events = (await client.allEvents(jobs[0]!.id)).filter((e) => e.kind === "log");
  if (events.length !== LINES) {
    throw new Error(`${name}: ${events.length} of ${LINES} lines arrived`);
  }
  const misplaced = events.findIndex((e, i) => e.message !== line(i));
  if (misplaced >= 0)
    throw new Error(`${name}: event ${misplaced} is '${events[misplaced]!.message}'`);
  if (jobs[0]!.status !== "completed") throw new Error(`${name}: run is ${jobs[0]!.status}`);
}

/** CPU time (user + system) a process has used so far, from /proc; 0 where there is none. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]); // utime, stime
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

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
