/**
 * Times the view by job name (`GET /api/names`, the names view of `statusbox watch`) on a
 * large database. Build one first, then point this at it:
 *
 *   bun scripts/make-large-db.ts /tmp/large.db --events-per-run 2
 *   bun bench/names-view.ts /tmp/large.db [--failing 100000]
 *
 * `--failing N` first adds a name with N failed runs and no completed one, the worst case
 * for "last success" and the durations (they read back through all of that name's runs).
 * Prints figures; it asserts nothing.
 */
import { Database } from "bun:sqlite";
import { parseArgs } from "node:util";
import { NameView } from "../src/schedules/name-view.ts";

const { values, positionals } = parseArgs({
  args: process.argv.slice(2),
  options: { failing: { type: "string" }, rounds: { type: "string" } },
  allowPositionals: true,
});
const path = positionals[0];
if (!path) {
  console.error("usage: bun bench/names-view.ts PATH [--failing N] [--rounds N]");
  process.exit(2);
}

if (values.failing) addFailingName(path, Number(values.failing));

const db = new Database(path, { readonly: true, strict: true });
const runs = (db.query("SELECT count(*) AS n FROM runs").get() as { n: number }).n;
const view = new NameView(db);
const now = Date.now();
const rounds = Number(values.rounds ?? 10);

const timings: number[] = [];
let rows = 0;
for (let round = 0; round < rounds; round++) {
  const started = performance.now();
  rows = view.page(now, { limit: 1000 }).length;
  timings.push(performance.now() - started);
}
const [first, ...rest] = timings;
rest.sort((a, b) => a - b);
console.log(`${runs} runs, ${rows} names`);
console.log(`first page of all names: ${first!.toFixed(1)} ms (cold)`);
console.log(`then: median ${rest[Math.floor(rest.length / 2)]!.toFixed(1)} ms over ${rest.length}`);
console.log(`per name: ${(rest[Math.floor(rest.length / 2)]! / rows).toFixed(3)} ms`);

const slowest = slowestRows(view, now);
console.log(`slowest names: ${slowest.map(([n, ms]) => `${n} ${ms.toFixed(2)} ms`).join(", ")}`);
db.close();

function slowestRows(names: NameView, at: number): [string, number][] {
  const all = names.page(at, { limit: 1000 }).map((row): [string, number] => {
    const started = performance.now();
    names.row(row.name, at);
    return [row.name, performance.now() - started];
  });
  return all.sort((a, b) => b[1] - a[1]).slice(0, 3);
}

function addFailingName(file: string, count: number): void {
  const writable = new Database(file, { strict: true });
  const insert = writable.prepare(
    `INSERT INTO runs (name, status, timeout_seconds, created_at, deadline_at, finished_at)
     VALUES ('always-failing', 'failed', 60, ?, ?, ?)`,
  );
  const start = Date.now() - 30 * 86_400_000;
  writable.transaction(() => {
    for (let i = 0; i < count; i++) {
      const at = start + Math.floor((i / count) * 30 * 86_400_000);
      insert.run(at, at + 60_000, at + 1000);
    }
  })();
  writable.close();
  console.log(`added ${count} failed runs of 'always-failing'`);
}
