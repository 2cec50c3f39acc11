/**
 * `bun scripts/fuzz.ts [--cases N] [--seed N] [--fresh-every N]`
 *
 * The property-based fuzzer of test/fuzz-api.test.ts, for millions of cases (default
 * 1,000,000): random requests against an in-process daemon, each checked for the API's
 * promises: never a 5xx, every error in the JSON shape, nothing stored for a refused
 * request, and the daemon still answering. Runs in rounds of 10,000 cases, each with its own
 * seed, on a fresh database every --fresh-every cases (default 100,000) so that checking
 * the database stays fast.
 *
 * Prints a line per round (cases, rate, answers by status); on the first broken promise,
 * fast-check shrinks the request to a small one, prints it with its seed, and exits 1.
 */
import fc from "fast-check";
import { parseArgs } from "node:util";
import { fuzzRequest } from "../test/helpers/fuzz-arbitraries.ts";
import { describeRequest, startFuzzTarget, type FuzzTarget } from "../test/helpers/fuzz-target.ts";

const ROUND = 10_000;
const { values } = parseArgs({
  options: {
    cases: { type: "string", default: "1000000" },
    seed: { type: "string", default: String(Date.now() % 2 ** 31) },
    "fresh-every": { type: "string", default: "100000" },
  },
});
const total = Number(values.cases);
const seed = Number(values.seed);
const freshEvery = Math.max(ROUND, Number(values["fresh-every"]));
if (![total, seed, freshEvery].every(Number.isSafeInteger) || total < 1) {
  console.error("fuzz: --cases, --seed and --fresh-every must be whole numbers");
  process.exit(2);
}

const statuses: Record<number, number> = {};
const startedAt = performance.now();
let target: FuzzTarget | null = null;
let done = 0;

for (let round = 0; done < total; round++) {
  if (done % freshEvery === 0) {
    await target?.close();
    target = await startFuzzTarget();
  }
  const current = target!;
  const runs = Math.min(ROUND, total - done);
  try {
    await fc.assert(
      fc.asyncProperty(fuzzRequest(current), async (request) => {
        const { status, problem } = await current.check(request);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (problem) throw new Error(`${problem}\n  request: ${describeRequest(request)}`);
      }),
      { numRuns: runs, seed: seed + round },
    );
  } catch (error) {
    console.error(`fuzz: a broken promise after ${done} cases (seed ${seed + round}):`);
    console.error(String(error));
    await current.close();
    process.exit(1);
  }
  if (!(await current.healthy())) {
    console.error(`fuzz: the daemon stopped answering after ${done + runs} cases`);
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
