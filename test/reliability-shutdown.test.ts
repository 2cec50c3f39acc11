import { afterAll, expect, test } from "bun:test";
import { join } from "node:path";
import { checkDatabase } from "./helpers/crash-check.ts";
import { crashClient, newLedger, seededRandom } from "./helpers/crash-load.ts";
import { spawnKeyedDaemon } from "./helpers/keyed-daemon.ts";
import { httpRequest, RawConnection } from "./helpers/raw-http.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const dir = makeTempDir();
const dbPath = join(dir.path, "shutdown.db");
afterAll(() => dir.cleanup());

test("SIGTERM amid 32 writing clients: each 200 durable, none hangs, exit 0 in 5 s", async () => {
  const ledger = newLedger();
  const random = seededRandom(8);
  let key: string | undefined;
  let answeredAfterSignal = 0;

  for (let cycle = 0; cycle < 3; cycle++) {
    const daemon = await spawnKeyedDaemon(dbPath, { key });
    key = daemon.key;
    let stopped = false;
    const ctx = { url: daemon.url, auth: daemon.auth, ledger, random, tag: `t${cycle}` };
    const clients = Array.from({ length: 32 }, (_, n) =>
      crashClient({ ...ctx, stopped: () => stopped }, n),
    );
    // An idle keep-alive connection and a request stuck half-way must not hold the exit up.
    const idle = await RawConnection.open(daemon.url);
    idle.write(httpRequest("GET", "/healthz", {}));
    const stuck = await RawConnection.open(daemon.url);
    stuck.write(httpRequest("POST", "/api/jobs/", { ...daemon.auth, "Content-Length": "100" }));

    await Bun.sleep(300 + random() * 500);
    const acknowledgedAtSignal = ledger.acknowledged;
    const signalledAt = performance.now();
    daemon.proc.kill("SIGTERM");
    const code = await daemon.proc.exited;
    const exitMs = performance.now() - signalledAt;
    stopped = true;
    await Promise.all(clients);

    expect({ cycle, code, withinFiveSeconds: exitMs < 5000 }).toEqual({
      cycle,
      code: 0,
      withinFiveSeconds: true,
    });
    expect(await stuck.waitClosed(1000)).toBe(true);
    expect(idle.closed).toBe(true);
    expect(daemon.log()).toContain("statusbox stopped");
    answeredAfterSignal += ledger.acknowledged - acknowledgedAtSignal;
  }

  // Requests in flight at the signal were finished, not dropped.
  console.log(
    `shutdown: ${answeredAfterSignal} writes answered 200 after SIGTERM;`,
    `unanswered: ${JSON.stringify(countBy(ledger.unanswered))}`,
  );
  expect(answeredAfterSignal).toBeGreaterThan(0);
  // No client waited out its time limit: each got an answer or a closed connection.
  expect(ledger.unanswered.filter((reason) => /Timeout|Abort/.test(reason))).toEqual([]);
  expect(ledger.problems).toEqual([]);
  const { problems, checked } = checkDatabase(dbPath, ledger, 0);
  expect(problems).toEqual([]);
  expect(checked).toBeGreaterThan(100);
}, 60_000);

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}
