/**
 * `bun bench/run-wrapper.ts [--runs N] [--binary PATH]`: does `statusbox run` slow a chatty
 * command? Builds the binary (or takes PATH, to compare another build), starts a daemon on a
 * temporary database (durability full), and runs commands that print 100,000 lines, bare and
 * wrapped. Every time is in ms from the spawn, the median of N runs (default 5):
 *
 * - bare: the command alone, its stdout to /dev/null and into a kernel pipe read by us (as
 *   `| cat` would: what any tee, the wrapper included, makes the command write into);
 * - wrapped, the command: when it started (after the run was created), when it exited, and
 *   when its last output line reached us through the wrapper: whether its output was slowed;
 * - wrapped, the wrapper: when it exited, having stored every line and ended the run;
 * - CPU: the bare command, the wrapper with its command, and the daemon per run;
 * - the floor: the daemon alone storing 100 batches of 1000 lines, prepared in advance and
 *   sent one at a time as the wrapper must (order), which no wrapper can beat.
 *
 * It checks that every line arrived as an event, in order. Exits 0 whatever the figures;
 * only a broken run (lines missing or misplaced) exits 1.
 */
import { closeSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { openPipe } from "../src/cli/run/os-pipe.ts";
import { StatusBoxClient } from "../src/client/index.ts";
import { startDaemon, type DaemonProcess } from "./lib/daemon-process.ts";

const LINES = 100_000;
const runsArg = process.argv.indexOf("--runs");
const RUNS = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const binaryArg = process.argv.indexOf("--binary");
const BINARY = binaryArg > 0 ? process.argv[binaryArg + 1] : undefined;
const root = join(import.meta.dir, "..");
const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);

/** Commands that print LINES lines, and line i (from 0) as each prints it. */
const COMMANDS: Record<string, { script: string; line: (i: number) => string }> = {
  "seq (as fast as a pipe takes it)": { script: `seq 1 ${LINES}`, line: (i) => String(i + 1) },
  "bursts of 500 lines every 10 ms (~2 s)": {
    script:
      `i=0; while [ $i -lt ${LINES / 500} ]; do ` +
      "seq $((i*500+1)) $((i*500+500)); sleep 0.01; i=$((i+1)); done",
    line: (i) => String(i + 1),
  },
  "sh loop (echo per line, CPU-bound)": {
    script: `i=0; while [ $i -lt ${LINES} ]; do echo "line $i"; i=$((i+1)); done`,
    line: (i) => `line ${i}`,
  },
};

type Sample = {
  /** Spawn to exit of what was spawned (the wrapper, when wrapped). */
  exited: number;
  /** The command's own start and end, from inside it. */
  started: number;
  ended: number;
  /** When the last byte of stdout reached us (0 when it went to /dev/null). */
  lastOutput: number;
  /** CPU of what was spawned and its children (the command, under the wrapper). */
  cpu: number;
};

const workDir = mkdtempSync(join(tmpdir(), "statusbox-bench-run-"));
try {
  const binary = BINARY ?? (await build(join(workDir, "statusbox")));
  const daemon = await startDaemon(binary, join(workDir, "bench.db"), { workDir });
  const client = new StatusBoxClient({ url: daemon.url, key: daemon.key });
  const env = { ...process.env, STATUSBOX_URL: daemon.url, STATUSBOX_API_KEY: daemon.key };
  try {
    const wrap = (name: string, argv: string[]) => [
      ...[binary, "run", "--name", name, "--timeout", "600", "--"],
      ...argv,
    ];
    const overhead = await median(RUNS, () => timed(wrap("noop", ["true"]), env, "ignore"));
    const floor = await median(RUNS, () => daemonFloor(daemon, client));
    const load = loadavg()[0]!.toFixed(2);
    console.log(`\nstatusbox run, ${LINES.toLocaleString("en")} lines, median of ${RUNS} runs`);
    console.log(`${cpus().length} × ${cpus()[0]?.model}, Bun ${Bun.version}, load ${load}`);
    console.log(`wrapper start and end around 'true': ${ms(overhead.exited)}`);
    console.log(
      "floor: the daemon alone stores 100 prepared batches of 1000 lines, one at a time, " +
        `in ${ms(floor.elapsed)}\n`,
    );
    console.log("Times from the spawn. Wrapped: when the command started, exited and its last");
    console.log(
      "output line reached us; when the wrapper exited (every line stored, run ended).\n",
    );
    const columns = ["bare → /dev/null", "bare → pipe", "started", "exited", "last output"];
    console.log(`| command | ${columns.join(" | ")} | wrapper exited |`);
    console.log("|---|--:|--:|--:|--:|--:|--:|");
    const notes: string[] = [];

    for (const [label, { script, line }] of Object.entries(COMMANDS)) {
      progress(label);
      const timing = `s=$(date +%s%N); ${script}; e=$(date +%s%N); echo "$s $e" > "$T"`;
      const argv = ["sh", "-c", timing];
      const bare = await median(RUNS, () => timed(argv, env, "ignore"));
      const piped = await median(RUNS, () => timed(argv, env, "pipe"));
      const name = `bench ${label}`;
      const daemonBefore = cpuMs(daemon.proc.pid);
      const wrapped = await median(RUNS, () => timed(wrap(name, argv), env, "pipe"));
      const daemonCpu = (cpuMs(daemon.proc.pid) - daemonBefore) / RUNS;
      await requireAllLines(client, name, line);

      const cells = [bare.exited, piped.exited, wrapped.started, wrapped.ended];
      console.log(
        `| ${label} | ${[...cells, wrapped.lastOutput, wrapped.exited].map(ms).join(" | ")} |`,
      );
      notes.push(
        `${label}: the command's own time ${ms(piped.ended - piped.started)} bare → pipe, ` +
          `${ms(wrapped.ended - wrapped.started)} wrapped; CPU ${ms(piped.cpu)} bare, ` +
          `${ms(wrapped.cpu)} wrapper and command, ${ms(daemonCpu)} daemon`,
      );
    }
    console.log(`\n${notes.join("\n")}`);
  } finally {
    await daemon.stop();
  }
} catch (error) {
  console.error(`bench: ${(error as Error).stack ?? error}`);
  process.exitCode = 1;
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

function ms(n: number): string {
  return `${n.toFixed(0)} ms`;
}

/**
 * Runs a command, its stderr to /dev/null and its stdout to /dev/null or into a pipe we read
 * to the end. The command writes its own start and end (`date +%s%N`) to the file `$T`.
 */
async function timed(
  argv: string[],
  env: Record<string, string | undefined>,
  stdout: "ignore" | "pipe",
): Promise<Sample> {
  const timeFile = join(workDir, "command-time");
  writeFileSync(timeFile, "");
  // A kernel pipe, as `| cat` gives: Bun's own "pipe" is a socket, which costs a writer more.
  const pipe = stdout === "pipe" ? openPipe() : null;
  if (stdout === "pipe" && !pipe) throw new Error("no kernel pipe can be made here");
  const spawnedAt = performance.timeOrigin + performance.now();
  const started = performance.now();
  const out = pipe ? pipe.write : "ignore";
  const proc = Bun.spawn(argv, { env: { ...env, T: timeFile }, stdout: out, stderr: "ignore" });
  let lastOutput = 0;
  if (pipe) {
    closeSync(pipe.write);
    for await (const chunk of Bun.file(pipe.read).stream()) {
      if (chunk.length > 0) lastOutput = performance.now();
    }
    closeSync(pipe.read);
  }
  const code = await proc.exited;
  const exited = performance.now() - started;
  if (code !== 0) throw new Error(`${argv.join(" ")} exited ${code}`);

  const [from, to] = readFileSync(timeFile, "utf8").trim().split(" ").map(Number);
  const since = (ns: number | undefined) => (ns ? ns / 1e6 - spawnedAt : 0);
  const cpu = Number(proc.resourceUsage()?.cpuTime.total ?? 0) / 1000;
  return {
    exited,
    started: since(from),
    ended: since(to),
    lastOutput: lastOutput ? lastOutput - started : 0,
    cpu,
  };
}

/** The median of each field over n samples. */
async function median<T extends Record<string, number>>(n: number, sample: () => Promise<T>) {
  const samples: T[] = [];
  for (let i = 0; i < n; i++) samples.push(await sample());
  const result = { ...samples[0]! };
  for (const key of Object.keys(result) as (keyof T)[]) {
    const sorted = samples.map((s) => s[key] as number).sort((a, b) => a - b);
    result[key] = sorted[n >> 1] as T[keyof T];
  }
  return result;
}

/** The daemon alone: 100 batches of 1000 lines, serialised beforehand, sent one at a time. */
async function daemonFloor(daemon: DaemonProcess, client: StatusBoxClient) {
  const id = await client.create({ name: "bench floor", timeoutSeconds: 600 });
  const bodies = Array.from({ length: LINES / 1000 }, (_, b) =>
    JSON.stringify({
      messages: Array.from({ length: 1000 }, (_, i) => ({
        message: String(b * 1000 + i + 1),
        stream: "stdout",
      })),
    }),
  );
  const headers = { authorization: `ApiKey ${daemon.key}`, "content-type": "application/json" };
  const started = performance.now();
  for (const [n, body] of bodies.entries()) {
    const answer = await fetch(`${daemon.url}/api/jobs/${id}/events`, {
      method: "POST",
      headers: { ...headers, "idempotency-key": `floor-${n}` },
      body,
    });
    if (answer.status !== 200) throw new Error(`the floor's batch answered ${answer.status}`);
  }
  const elapsed = performance.now() - started;
  await client.complete(id);
  return { elapsed };
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
