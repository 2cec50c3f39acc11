import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describeBadAnswer } from "./helpers/error-shape.ts";
import { httpRequest, RawConnection } from "./helpers/raw-http.ts";
import { spawnKeyedDaemon, type KeyedDaemon } from "./helpers/keyed-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

// Another process (the sqlite3 command line) takes the write lock of the daemon's database.
const dir = makeTempDir();
const dbPath = join(dir.path, "locked.db");
let daemon: KeyedDaemon;

beforeAll(async () => {
  daemon = await spawnKeyedDaemon(dbPath);
});
afterAll(async () => {
  expect(await daemon.stop()).toBe(0);
  expect(daemon.log()).not.toContain("unexpected error");
  dir.cleanup();
});

/**
 * Holds `BEGIN IMMEDIATE` on `path` for `seconds`; resolves once the lock is held. (The
 * command line buffers its output into a pipe, so it signals the lock by touching a file
 * instead.) Its `.timeout` lets it wait out a write the daemon is making at that moment,
 * which would otherwise make it exit with "database is locked" before taking the lock.
 */
async function holdWriteLock(path: string, seconds: number) {
  const marker = join(dir.path, `locked-${Date.now()}`);
  const holder = Bun.spawn(
    [
      "sqlite3",
      path,
      ".timeout 5000",
      "BEGIN IMMEDIATE;",
      `.shell touch '${marker}'`,
      `.shell sleep ${seconds}`,
      "COMMIT;",
    ],
    { stdout: "ignore", stderr: "pipe" },
  );
  await waitFor(() => existsSync(marker) || holder.exitCode !== null, { what: "the lock" });
  if (holder.exitCode !== null) {
    const said = await new Response(holder.stderr).text();
    throw new Error(`sqlite3 exited ${holder.exitCode} without the lock: ${said.trim()}`);
  }
  return { lockedAt: performance.now(), released: holder.exited, stop: () => holder.kill() };
}

const post = (path: string, body: unknown) =>
  fetch(daemon.url + path, {
    method: "POST",
    headers: daemon.auth,
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });

/** Sends creates and logs at once; answers each one's status, tag and latency. */
async function writeWhileLocked(runId: number, tag: string, count: number) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const started = performance.now();
      const text = `${tag}-${i}`;
      const response =
        i % 2
          ? await post(`/jobs/${runId}`, { message: text })
          : await post("/api/jobs/", { name: text, timeoutSeconds: 60 });
      const body = await response.text();
      expect(
        describeBadAnswer(response.status, response.headers, body, { allow503: true }),
      ).toBeNull();
      return { text, status: response.status, ms: performance.now() - started };
    }),
  );
}

function stored(text: string): boolean {
  const db = new Database(dbPath, { readonly: true });
  try {
    return Boolean(
      db
        .query("SELECT 1 FROM runs WHERE name = ?1 UNION SELECT 1 FROM events WHERE message = ?1")
        .get(text),
    );
  } finally {
    db.close();
  }
}

async function createRun(): Promise<number> {
  const response = await post("/api/jobs/", { name: "holder", timeoutSeconds: 600 });
  return ((await response.json()) as { id: number }).id;
}

describe("another process holds the write lock", () => {
  test("for 3 s: writes wait, then succeed; reads are not held up; nothing is lost", async () => {
    const runId = await createRun();
    const lock = await holdWriteLock(dbPath, 3);

    const reading = fetch(`${daemon.url}/api/jobs/${runId}`, { headers: daemon.auth });
    const writing = writeWhileLocked(runId, "waited", 40);
    const read = await reading;
    const readAt = performance.now() - lock.lockedAt;
    expect(read.status).toBe(200);
    expect(readAt).toBeLessThan(2500); // answered while the lock was still held

    const answers = await writing;
    await lock.released;
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    // They waited for the lock rather than failing fast.
    expect(Math.min(...answers.map((a) => a.ms))).toBeGreaterThan(2000);
    for (const { text } of answers) expect(stored(text)).toBe(true);
  }, 20_000);

  test("past the daemon's wait: 503 with Retry-After, nothing stored, then recovery", async () => {
    const runId = await createRun();
    const lock = await holdWriteLock(dbPath, 6.5);

    const answers = await writeWhileLocked(runId, "refused", 20);
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 503));
    await lock.released;
    for (const { text } of answers) expect(stored(text)).toBe(false);

    const retried = await writeWhileLocked(runId, "retried", 20);
    expect(retried.map((a) => a.status)).toEqual(retried.map(() => 200));
    for (const { text } of retried) expect(stored(text)).toBe(true);
  }, 20_000);
});

test("SIGTERM while writes wait for another process's lock: exit 0 within 5 s, nothing stored", async () => {
  const ownDb = join(dir.path, "locked-at-shutdown.db");
  const own = await spawnKeyedDaemon(ownDb);
  // The key's first use records its "last used" time, a write; make it now, before the lock.
  await fetch(`${own.url}/api/jobs`, { headers: own.auth });
  const lock = await holdWriteLock(ownDb, 9);

  // The request's body arrives only after the signal, so its wait for the lock begins late:
  // without a bound on that wait, the full lock wait would come on top of the drain.
  const body = JSON.stringify({ name: "waiting-at-shutdown", timeoutSeconds: 60 });
  const headers = { ...own.auth, "Content-Length": String(body.length) };
  const late = await RawConnection.open(own.url);
  late.write(httpRequest("POST", "/api/jobs/", headers));
  await Bun.sleep(100);
  const signalledAt = performance.now();
  own.proc.kill("SIGTERM");
  await Bun.sleep(1500);
  late.write(body);
  const code = await own.proc.exited;
  const exitMs = performance.now() - signalledAt;
  lock.stop();
  await lock.released;
  const answer = await late.response(1000);

  expect({ code, withinFiveSeconds: exitMs < 5000 }).toEqual({ code: 0, withinFiveSeconds: true });
  // A 503, or the connection closed unanswered when the drain ran out.
  expect(answer === null || answer.status === 503).toBe(true);
  const db = new Database(ownDb, { readonly: true });
  expect(db.query("SELECT count(*) AS n FROM runs").get()).toEqual({ n: 0 });
  db.close();
}, 20_000);
