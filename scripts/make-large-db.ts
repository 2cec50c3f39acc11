/**
 * Builds a large StatusBox database for the terminal UI benchmark: by default 1,000,000 runs
 * and 5,000,000 events spread over the last 30 days, with the real schema (the migrations the
 * daemon applies). Run as `bun scripts/make-large-db.ts PATH [--runs N] [--events-per-run N]`.
 *
 * Speed comes from prepared statements inside large transactions and from building with
 * `synchronous = OFF` and no journal: a crash mid-build leaves a useless file, which is fine
 * for a file we can build again. The finished file is switched to WAL, as the daemon keeps it.
 */
import { Database } from "bun:sqlite";
import { existsSync, rmSync } from "node:fs";
import { parseArgs } from "node:util";
import { deadlineOf } from "../src/domain/run.ts";
import { migrate } from "../src/storage/migrations.ts";

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { runs: { type: "string" }, "events-per-run": { type: "string" } },
  allowPositionals: true,
});
const path = positionals[0];
if (!path) {
  console.error("usage: bun scripts/make-large-db.ts PATH [--runs N] [--events-per-run N]");
  process.exit(2);
}
const RUNS = Number(values.runs ?? 1_000_000);
const EVENTS_PER_RUN = Number(values["events-per-run"] ?? 5);
const SPAN_MS = 30 * 24 * 3_600_000;
/**
 * The newest runs are still open. The UI shows time left to the second in a run's last ten
 * minutes; the newest run's timeout is 10 minutes and each older one's 90 s longer, so for
 * about half an hour after a build some run on a large screen counts down by the second and
 * the UI redraws every second: its busiest idle screen, the one the benchmark wants.
 */
const OPEN_RUNS = 40;
const openTimeout = (id: number) => 600 + 90 * (RUNS - id);
const NAMES = Array.from({ length: 200 }, (_, i) => `job-${String(i).padStart(3, "0")}`);
const BATCH = 50_000;

for (const suffix of ["", "-wal", "-shm"]) rmSync(path + suffix, { force: true });
const db = new Database(path, { create: true, strict: true });
db.run("PRAGMA journal_mode = OFF");
db.run("PRAGMA synchronous = OFF");
db.run("PRAGMA cache_size = -200000");
migrate(db);

const insertRun = db.prepare(
  `INSERT INTO runs (id, name, version, status, timeout_seconds, created_at, deadline_at,
     finished_at, exit_code, end_message, event_count)
   VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
);
const insertEvent = db.prepare(
  "INSERT INTO events (run_id, at, kind, message, truncated, stream) VALUES (?, ?, ?, ?, 0, ?)",
);

const started = performance.now();
const now = Date.now();
let seed = 42;
/** A small deterministic generator, so that two builds give the same database. */
const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;

const insertBatch = db.transaction((from: number, to: number) => {
  for (let id = from; id < to; id++) insertOneRun(id);
});

function insertOneRun(id: number): void {
  const open = id > RUNS - OPEN_RUNS;
  const createdAt = open
    ? now - (RUNS - id + 1) * 5_000
    : now - SPAN_MS + Math.floor((id / RUNS) * (SPAN_MS - 600_000));
  // A finished run ended before the build: its deadline (and so its end) is never in the future.
  const untilNow = Math.floor((now - createdAt) / 1000) - 1;
  const timeout = open ? openTimeout(id) : Math.min(untilNow, 300 + Math.floor(random() * 3300));
  const deadlineAt = deadlineOf(createdAt, timeout);
  const status = open ? "running" : pickStatus();
  const finishedAt = open
    ? null
    : status === "timed_out"
      ? deadlineAt
      : createdAt + Math.floor(random() * (deadlineAt - createdAt));

  const events = eventsOf(id, status, createdAt, finishedAt ?? createdAt + 60_000, timeout);
  const exitCode = status === "completed" ? 0 : status === "failed" ? 1 : null;
  const endMessage = status === "failed" ? "exit status 1" : null;
  insertRun.run(
    id,
    NAMES[id % NAMES.length]!,
    `1.${id % 7}.0`,
    status,
    timeout,
    createdAt,
    deadlineAt,
    finishedAt,
    exitCode,
    endMessage,
    events,
  );
}

function pickStatus(): string {
  const r = random();
  if (r < 0.9) return "completed";
  if (r < 0.95) return "failed";
  if (r < 0.97) return "cancelled";
  return "timed_out";
}

/** Writes the run's events and answers how many: the start, logs, and the end. */
function eventsOf(id: number, status: string, from: number, to: number, timeout: number): number {
  insertEvent.run(id, from, "status", `running (timeout ${timeout}s)`, null);
  const logs = EVENTS_PER_RUN - (status === "running" ? 1 : 2);
  for (let i = 0; i < logs; i++) {
    const at = from + Math.floor(((i + 1) / (logs + 1)) * (to - from));
    const stderr = i % 5 === 4;
    const message = stderr ? `warning: step ${i + 1} retried` : `step ${i + 1} of ${logs} done`;
    insertEvent.run(id, at, "log", message, stderr ? "stderr" : "stdout");
  }
  if (status !== "running") insertEvent.run(id, to, "status", status, null);
  return EVENTS_PER_RUN - (status === "running" ? 1 : 0);
}

for (let from = 1; from <= RUNS; from += BATCH) {
  insertBatch(from, Math.min(RUNS + 1, from + BATCH));
  process.stdout.write(`\r${Math.min(RUNS, from + BATCH - 1)} runs`);
}
db.run("PRAGMA journal_mode = WAL");
db.close();

const seconds = ((performance.now() - started) / 1000).toFixed(1);
const size = existsSync(path) ? (Bun.file(path).size / 1e6).toFixed(0) : "?";
console.log(
  `\nbuilt ${path}: ${RUNS} runs, about ${RUNS * EVENTS_PER_RUN} events, ` +
    `${size} MB in ${seconds}s`,
);
