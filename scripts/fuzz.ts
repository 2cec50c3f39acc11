/**
 * `bun scripts/fuzz.ts [--cases N] [--seed N] [--fresh-every N] [--in-process]`
 *
 * The property-based fuzzer of test/fuzz-process.test.ts, for millions of cases (default
 * 1,000,000): random requests against `statusbox serve` as its own process (the binary
 * when STATUSBOX_BIN is set, else the sources through bun), each checked for the API's
 * promises: never a 5xx, every error in the JSON shape, nothing stored for a refused
 * request, and the daemon still running, answering, and with no error in its log.
 * `--in-process` fuzzes a daemon inside this process instead, with a frozen clock (as
 * test/fuzz-api.test.ts does): faster, and a seed replays exactly the same run.
 *
 * Runs in rounds of 10,000 cases, each with its own seed, on a fresh daemon and database
 * every --fresh-every cases (default 100,000) so that checking the database stays fast.
 * Prints a line per round (cases, rate, answers by status); on the first broken promise,
 * fast-check shrinks the request to a small one, prints it with its seed, and exits 1.
 */
import fc from "fast-check";
import { parseArgs } from "node:util";
import { statusboxCommand } from "../test/helpers/binary.ts";
import { fuzzRequest } from "../test/helpers/fuzz-arbitraries.ts";
import { startProcessFuzzTarget } from "../test/helpers/fuzz-process-target.ts";
import { describeRequest, startFuzzTarget, type FuzzTarget } from "../test/helpers/fuzz-target.ts";

const ROUND = 10_000;
const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "1000000" },
    seed: { type: "string", default: String(Date.now() % 2 ** 31) },
    "fresh-every": { type: "string", default: "100000" },
    "in-process": { type: "boolean", default: false },
  },
});
const total = Number(values.cases);
const seed = Number(values.seed);
const freshEvery = Math.max(ROUND, Number(values["fresh-every"]));
if (![total, seed, freshEvery].every(Number.isSafeInteger) || total < 1) {
  console.error("fuzz: --cases, --seed and --fresh-every must be whole numbers");
  process.exit(2);
}
const inProcess = values["in-process"];
const start = inProcess ? startFuzzTarget : startProcessFuzzTarget;
console.log(
  inProcess
    ? "fuzz: a daemon in this process, frozen clock"
    : `fuzz: the daemon as a process, real clock: ${statusboxCommand().join(" ")} serve`,
);

const statuses: Record<number, number> = {};
const startedAt = performance.now();
let target: FuzzTarget | null = null;
let done = 0;
let checked = 0;

// Ctrl-C must not leave a daemon process behind, nor be reported as a broken promise.
let interrupted = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    interrupted = true;
    console.log(`fuzz: interrupted after ${checked} cases`);
    await target?.close();
    process.exit(130);
  });
}

for (let round = 0; done < total; round++) {
  if (done % freshEvery === 0) {
    await target?.close();
    target = await start();
  }
  const current = target!;
  const runs = Math.min(ROUND, total - done);
  try {
    await fc.assert(
      fc.asyncProperty(fuzzRequest(current), async (request) => {
        // After a case that killed or hung the daemon, shrinking could only blame others.
        fc.pre(current.alive());
        const { status, problem } = await current.check(request);
        checked++;
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (problem) throw new Error(`${problem}\n  request: ${describeRequest(request)}`);
      }),
      { numRuns: runs, seed: seed + round },
    );
  } catch (error) {
    // Closing the daemon under an interrupted run fails its last case: the handler exits.
    if (interrupted) await new Promise(() => {});
    console.error(`fuzz: a broken promise after ${done} cases (seed ${seed + round}):`);
    console.error(String(error));
    await current.close();
    process.exit(1);
  }
  if (!(await current.healthy())) {
    console.error(`fuzz: the daemon stopped answering after ${done + runs} cases`);
    await current.close();
    process.exit(1);
  }
  done += runs;
  const rate = Math.round(done / ((performance.now() - startedAt) / 1000));
  console.log(`fuzz: ${done}/${total} cases, ${rate}/s, answers ${JSON.stringify(statuses)}`);
}
await target?.close();
const minutes = ((performance.now() - startedAt) / 60_000).toFixed(1);
console.log(
  `fuzz: ${done} cases in ${minutes} min,`,
  `seeds ${seed}..${seed + Math.ceil(total / ROUND) - 1}, no broken promise`,
);
