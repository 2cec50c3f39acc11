import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { fuzzRequest } from "./helpers/fuzz-arbitraries.ts";
import { BATCH_LIMITS, limitsReached } from "./helpers/fuzz-batch-limits.ts";
import { everyMethodOnEveryRoute } from "./helpers/fuzz-sweep.ts";
import {
  describeRequest,
  startFuzzTarget,
  type InProcessFuzzTarget,
} from "./helpers/fuzz-target.ts";

let target: InProcessFuzzTarget;
beforeAll(async () => {
  target = await startFuzzTarget();
});
afterAll(() => target.close());

test("random requests: never a 5xx, errors in the JSON shape, refusals store nothing", async () => {
  let cases = 0;
  const limits = new Set<string>();
  const startedAt = performance.now();
  await fc.assert(
    fc.asyncProperty(fuzzRequest(target), async (request) => {
      cases++;
      for (const limit of limitsReached(request)) limits.add(limit);
      const { problem } = await target.check(request);
      if (problem) throw new Error(`${problem}\n  request: ${describeRequest(request)}`);
      if (cases % 200 === 0 && !(await target.healthy())) throw new Error("the daemon stopped");
    }),
    // Thousands of cases, bounded in time on a slow machine; the script runs millions.
    { numRuns: 3000, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: false },
  );
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1);
  console.log(`fuzz: ${cases} random requests in ${seconds} s`);
  expect(cases).toBeGreaterThanOrEqual(1000);
  // The batch limits are reached by the arbitraries made for them, not by luck.
  expect([...limits].sort()).toEqual([...BATCH_LIMITS].sort());
  expect(await target.healthy()).toBe(true);
}, 60_000);

test("every method on every route, with each kind of key, keeps the promises", async () => {
  const requests = everyMethodOnEveryRoute(target);
  for (const request of requests) {
    const { problem } = await target.check(request);
    expect(problem === null ? null : `${problem} (${describeRequest(request)})`).toBeNull();
  }
  expect(target.routes.length).toBeGreaterThanOrEqual(10);
  console.log(
    `fuzz: ${target.routes.length} routes, ${requests.length} method/key/body combinations`,
  );
}, 60_000);

test("the check notices a refused request that stored something, or a bare error", async () => {
  const { daemon, keys } = target;
  const refused = { method: "GET", path: "/nowhere", headers: [], body: null };
  const checking = target.check({
    ...refused,
    headers: [["authorization", `ApiKey ${keys.write}`]],
  });
  // A write lands while the 404 is on its way: the check must blame the request for it.
  daemon.db.run("INSERT INTO events (run_id, at, kind, message) VALUES (?, 0, 'log', 'sneaked')", [
    target.runIds[0]!,
  ]);
  expect((await checking).problem).toContain("changed the database");

  const bare = await target.check({ ...refused, headers: [["x-big", "a".repeat(20_000)]] });
  expect(bare).toEqual({ status: 431, problem: "error 431 without a JSON content type" });
});
