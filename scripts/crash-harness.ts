/**
 * `bun scripts/crash-harness.ts [--cycles N] [--clients N] [--cycles-per-db N] [--seed N]`
 *
 * Kills the real daemon with SIGKILL at random moments while 32 clients write, thousands of
 * times, and checks after each kill that every write answered 200 is stored exactly as sent,
 * that nothing unacknowledged is stored in part, that the file passes `PRAGMA
 * integrity_check`, and that timeouts of running runs are enforced after each restart. The
 * same module runs 20 cycles in `bun test` (test/reliability-crash.test.ts).
 *
 * Prints a progress line every 10 cycles, then the cycles and acknowledged writes checked.
 * Exits 1 on the first cycle with a problem, printing the problems and the seed.
 */
import { parseArgs } from "node:util";
import { runCrashHarness } from "../test/helpers/crash-harness.ts";

const { values } = parseArgs({
  options: {
    cycles: { type: "string", default: "1000" },
    clients: { type: "string", default: "32" },
    "cycles-per-db": { type: "string", default: "50" },
    seed: { type: "string" },
  },
});
const cycles = wholeNumber("cycles", values.cycles);
const startedAt = performance.now();

const report = await runCrashHarness({
  cycles,
  clients: wholeNumber("clients", values.clients),
  cyclesPerDatabase: wholeNumber("cycles-per-db", values["cycles-per-db"]),
  seed: values.seed === undefined ? undefined : wholeNumber("seed", values.seed),
  onCycle: (progress) => {
    if (progress.cycles % 10 !== 0) return;
    const minutes = ((performance.now() - startedAt) / 60_000).toFixed(1);
    console.log(
      `crash-harness: ${progress.cycles}/${cycles} cycles, ${progress.acknowledged} acknowledged`,
      `writes, ${minutes} min`,
    );
  },
});

const seconds = ((performance.now() - startedAt) / 1000).toFixed(0);
console.log(
  `crash-harness: seed ${report.seed}: ${report.cycles} cycles of kill -9 in ${seconds} s;`,
  `${report.acknowledged} acknowledged writes, checked ${report.checked} times in all`,
  `(each check after a kill covers every earlier write on the same database);`,
  `${report.problems.length} problems`,
);
for (const problem of report.problems.slice(0, 50)) console.log(`  ${problem}`);
process.exit(report.problems.length === 0 ? 0 : 1);

function wholeNumber(name: string, text: string): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    console.error(`crash-harness: --${name} must be a whole number of at least 1, not '${text}'`);
    process.exit(2);
  }
  return Number(text);
}
