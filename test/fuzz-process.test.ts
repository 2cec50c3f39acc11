import { Database } from "bun:sqlite";
import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { fuzzRequest } from "./helpers/fuzz-arbitraries.ts";
import { BATCH_LIMITS, limitsReached } from "./helpers/fuzz-batch-limits.ts";
import { EVERY_TABLE_BUT_KEYS, fingerprintQuery } from "./helpers/fuzz-fingerprint.ts";
import { WHAT_REQUESTS_STORE } from "./helpers/fuzz-own-writes.ts";
import { startProcessFuzzTarget, type ProcessFuzzTarget } from "./helpers/fuzz-process-target.ts";
import { everyMethodOnEveryRoute } from "./helpers/fuzz-sweep.ts";
import { describeRequest } from "./helpers/fuzz-target.ts";
import { waitFor } from "./helpers/wait-for.ts";

// The fuzzer against `statusbox serve` as its own process (the binary under STATUSBOX_BIN),
// with a real clock; fuzz-api.test.ts runs it in-process with a frozen clock.
let target: ProcessFuzzTarget;
beforeAll(async () => {
  target = await startProcessFuzzTarget();
});
// Long enough for a daemon that ignores SIGTERM (a hang) to be killed.
afterAll(() => target.close(), 10_000);

test("random requests: no 5xx, JSON errors, no refusal stored, the daemon lives on", async () => {
  let cases = 0;
  const limits = new Set<string>();
  const startedAt = performance.now();
  await fc.assert(
    fc.asyncProperty(fuzzRequest(target), async (request) => {
      // Once the daemon is gone, later cases prove nothing: skipping them keeps the case that
      // broke it as the one reported, rather than whatever shrinking would reach.
      fc.pre(target.alive());
      cases++;
      for (const limit of limitsReached(request)) limits.add(limit);
      const { problem } = await target.check(request);
      if (problem) throw new Error(`${problem}\n  request: ${describeRequest(request)}`);
    }),
    // Thousands of cases, bounded in time on a slow machine; the script runs millions.
    { numRuns: 5000, interruptAfterTimeLimit: 25_000, markInterruptAsFailure: false },
  );
  const seconds = (performance.now() - startedAt) / 1000;
  console.log(`fuzz (process): ${cases} random requests in ${seconds.toFixed(1)} s`);
  expect(cases).toBeGreaterThanOrEqual(1000);
  // The batch limits are reached by the arbitraries made for them, not by luck.
  expect([...limits].sort()).toEqual([...BATCH_LIMITS].sort());
  expect(target.alive()).toBe(true);
}, 60_000);

test("every method on every route, with each kind of key, keeps the promises", async () => {
  for (const request of everyMethodOnEveryRoute(target)) {
    const { problem } = await target.check(request);
    expect(problem === null ? null : `${problem} (${describeRequest(request)})`).toBeNull();
  }
  expect(target.routes.length).toBeGreaterThanOrEqual(10);
}, 60_000);

test("a run timing out and a missed run are the daemon's own writes, not a request's", async () => {
  const requestsStore = fingerprintQuery(target.db, WHAT_REQUESTS_STORE);
  const everything = fingerprintQuery(target.db, EVERY_TABLE_BUT_KEYS);
  const missed = target.db.query("SELECT count(*) AS n FROM runs WHERE status = 'missed'");
  const missedCount = () => (missed.get() as { n: number }).n;
  const created = await fetch(`${target.url}/api/jobs/`, {
    method: "POST",
    headers: { authorization: `ApiKey ${target.keys.write}` },
    body: JSON.stringify({ name: "soon-late", timeoutSeconds: 0.2 }),
  });
  const { id } = (await created.json()) as { id: number };
  const before = { compared: requestsStore(), all: everything(), missed: missedCount() };

  const status = target.db.query("SELECT status FROM runs WHERE id = ?");
  await waitFor(() => (status.get(id) as { status: string }).status === "timed_out", {
    what: "the run to time out",
  });
  await waitFor(() => missedCount() > before.missed, { what: "a missed run", timeoutMs: 5000 });
  expect(everything()).not.toBe(before.all);
  expect(requestsStore()).toBe(before.compared);
});

test("the check blames a refused request for a write landing while it is in flight", async () => {
  const writer = new Database(target.dbPath);
  writer.run("PRAGMA busy_timeout = 5000");
  try {
    const refused = {
      method: "GET",
      path: "/nowhere",
      headers: [["authorization", `ApiKey ${target.keys.write}`]] as [string, string][],
      body: null,
    };
    const checking = target.check(refused);
    writer.run("INSERT INTO events (run_id, at, kind, message) VALUES (?, 0, 'log', 'sneaked')", [
      target.runIds[0]!,
    ]);
    expect((await checking).problem).toContain("changed the database");
    expect((await target.check(refused)).problem).toBeNull();
  } finally {
    writer.close();
  }
});
