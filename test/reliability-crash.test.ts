import { expect, test } from "bun:test";
import { join } from "node:path";
import { checkDatabase } from "./helpers/crash-check.ts";
import { runCrashHarness } from "./helpers/crash-harness.ts";
import { newLedger, type ExpectedRun } from "./helpers/crash-load.ts";
import { createRun, startTestDaemon } from "./helpers/daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

// The same harness as `bun scripts/crash-harness.ts`, for as many cycles as fit in CI.
test("each 200 survives 20 kill -9s under load, none half-stored, timeouts held", async () => {
  const report = await runCrashHarness({ cycles: 20, clients: 32, loadMs: [50, 900] });
  console.log(
    `crash harness: seed ${report.seed}, ${report.cycles} cycles,`,
    `${report.acknowledged} acknowledged writes, ${report.checked} checks of them`,
  );
  expect(report.problems).toEqual([]);
  expect(report.cycles).toBe(20);
  // Each cycle must have had real load to kill: on average dozens of writes at least.
  expect(report.acknowledged).toBeGreaterThan(20 * 20);
}, 90_000);

test("the check catches a lost write, a half-stored batch, an unenforced timeout", async () => {
  const dir = makeTempDir();
  try {
    const daemon = await startTestDaemon({ dbPath: join(dir.path, "check.db") });
    const id = await createRun(daemon, { name: "kept", timeoutSeconds: 600 });
    expect((await daemon.post(`/api/jobs/${id}/events`, { messages: ["a", "b"] })).status).toBe(
      200,
    );
    await daemon.close();

    const ledger = newLedger();
    const run: ExpectedRun = {
      ...{ id, name: "kept", version: null, timeoutSeconds: 600, logs: ["a", "lost"] },
      ...{ unansweredLogs: [], unansweredBatches: [["b", "c"]], end: null, unansweredEnds: [] },
    };
    ledger.runs.set(id, run);
    ledger.runs.set(99, { ...run, id: 99, logs: [], unansweredBatches: [] });

    const { problems } = checkDatabase(join(dir.path, "check.db"), ledger, Date.now() + 3_600_000);
    expect(problems).toEqual([
      `run ${id} is running past its deadline`,
      `run ${id} (kept): 'lost' stored 0 times`,
      `run ${id} (kept): a batch is stored in part (1 of 2)`,
      "run 99 (kept) was acknowledged but is missing",
    ]);
  } finally {
    dir.cleanup();
  }
});
