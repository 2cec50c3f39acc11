/**
 * Benchmark of `statusbox watch` on a large database: the time to the first screen with runs
 * on it, the CPU it uses while idle, and its memory. It runs the compiled binary in a real
 * pseudo-terminal (Bun.spawn with `terminal`), as a person would.
 *
 *   bun scripts/make-large-db.ts /tmp/statusbox-large.db   # once: 1M runs, 5M events
 *   bun run build
 *   bun bench/tui.ts --db /tmp/statusbox-large.db [--bin dist/statusbox] [--idle 10]
 *
 * Figures are printed, never asserted: the targets (first screen under 1 s, idle CPU
 * under 5 % of a core, memory under 150 MB) are for a person to compare against.
 * Note: the UI redraws only when a text on screen changes. For about half an hour after the
 * database is built, a run on screen counts down by the second (a redraw every second, the
 * busiest idle screen); later they are overdue, the screen changes once a minute and idle CPU
 * is lower. The "screen updates" figure tells which case was measured.
 */
import { Database } from "bun:sqlite";
import { existsSync, readFileSync } from "node:fs";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    db: { type: "string", default: "/tmp/statusbox-large.db" },
    bin: { type: "string", default: "dist/statusbox" },
    idle: { type: "string", default: "10" },
    cols: { type: "string", default: "120" },
    rows: { type: "string", default: "40" },
  },
});
const dbPath = values.db!;
const bin = values.bin!;
const idleSeconds = Number(values.idle);

for (const [what, path, hint] of [
  ["database", dbPath, `bun scripts/make-large-db.ts ${dbPath}`],
  ["binary", bin, "bun run build"],
] as const) {
  if (!existsSync(path)) {
    console.error(`bench/tui: no ${what} at ${path}; make it with: ${hint}`);
    process.exit(1);
  }
}

const counts = describeDatabase(dbPath);
console.log(`database ${dbPath}: ${counts.runs} runs, ${counts.events} events`);

let screen = "";
let writes = 0;
const decoder = new TextDecoder();
const started = performance.now();
const proc = Bun.spawn([bin, "watch", "--db", dbPath], {
  env: { ...process.env, TERM: "xterm-256color" },
  terminal: {
    cols: Number(values.cols),
    rows: Number(values.rows),
    data: (_terminal, data) => {
      screen += decoder.decode(data, { stream: true });
      writes++;
    },
  },
});

// The first screen is the first output that holds the newest run's id and the footer.
const newest = String(counts.newestId);
// Its CPU time then is printed too: unlike the wall-clock time, it hardly moves when other
// processes compete for the machine.
let firstScreenMs: number | null = null;
let firstScreenCpuMs = 0;
while (performance.now() - started < 15_000) {
  const text = Bun.stripANSI(screen);
  if (text.includes(newest) && text.includes("q quit")) {
    firstScreenMs = performance.now() - started;
    firstScreenCpuMs = cpuTicks(proc.pid) * 10;
    break;
  }
  await Bun.sleep(2);
}
if (firstScreenMs === null) fail("no first screen within 15 s");

// Let start-up work settle, then measure an idle stretch: no key, nothing written.
await Bun.sleep(2000);
const before = cpuTicks(proc.pid);
const writesBefore = writes;
const idleStarted = performance.now();
await Bun.sleep(idleSeconds * 1000);
const cpuSeconds = (cpuTicks(proc.pid) - before) / 100;
const idleWrites = writes - writesBefore;
const idleCpu = (cpuSeconds / ((performance.now() - idleStarted) / 1000)) * 100;
const memory = memoryOf(proc.pid);

proc.terminal?.write("q");
const code = await Promise.race([proc.exited, Bun.sleep(5000).then(() => null)]);
if (code === null) {
  proc.kill("SIGKILL");
  fail("did not exit within 5 s of q");
}
proc.terminal?.close();

console.log(
  `first screen: ${firstScreenMs!.toFixed(0)} ms (target < 1000), ` +
    `of which ${firstScreenCpuMs} ms on the CPU`,
);
console.log(
  `idle CPU: ${idleCpu.toFixed(2)} % of a core over ${idleSeconds} s (target < 5), ` +
    `${idleWrites} screen updates`,
);
console.log(
  `memory: RSS ${memory.rssMb.toFixed(1)} MB, peak ${memory.peakMb.toFixed(1)} MB ` +
    "(target < 150)",
);
console.log(`exit after q: ${code}`);

function describeDatabase(path: string) {
  const db = new Database(path, { readonly: true });
  try {
    const scalar = (sql: string) => (db.query(sql).get() as { v: number | null }).v ?? 0;
    return {
      runs: scalar("SELECT max(id) AS v FROM runs"),
      newestId: scalar("SELECT max(id) AS v FROM runs"),
      events: scalar("SELECT max(id) AS v FROM events"),
    };
  } finally {
    db.close();
  }
}

/** User plus system CPU time of a process, in clock ticks (100 a second on Linux). */
function cpuTicks(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name, in parentheses, may hold spaces: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]);
}

function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+)`, "m").exec(status)?.[1] ?? 0);
  return { rssMb: kb("VmRSS") / 1024, peakMb: kb("VmHWM") / 1024 };
}

function fail(message: string): never {
  console.error(
    `bench/tui: ${message}\n--- last output ---\n${Bun.stripANSI(screen).slice(-2000)}`,
  );
  proc.kill("SIGKILL");
  process.exit(1);
}
