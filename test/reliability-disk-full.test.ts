import { Database } from "bun:sqlite";
import { afterEach, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { createRun, startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";
import { describeBadAnswer } from "./helpers/error-shape.ts";
import { canMount, fillDisk, mountTmpfs } from "./helpers/mounts.ts";
import { spawnKeyedDaemon } from "./helpers/keyed-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A message that needs a fresh database page of its own. */
const bulky = (tag: string) => `${tag} ${"x".repeat(12_000)}`;

type Send = (path: string, body: unknown) => Promise<Response>;

/** Sends writes of every kind at once; answers what each got, by the text it carried. */
async function writeMix(send: Send, runId: number, tag: string) {
  const writes = [
    ...Array.from({ length: 8 }, (_, i) => ({
      path: `/jobs/${runId}`,
      text: bulky(`${tag}-log-${i}`),
    })),
    ...Array.from({ length: 4 }, (_, i) => ({ path: "/api/jobs/", text: `${tag}-run-${i}` })),
  ];
  const batch = bulky(`${tag}-batch`);
  const answers = await Promise.all([
    ...writes.map(({ path, text }) =>
      send(path, path === "/api/jobs/" ? { name: text, timeoutSeconds: 60 } : { message: text }),
    ),
    send(`/api/jobs/${runId}/events`, { messages: [batch, `${batch}-2`] }),
  ]);
  const results: { text: string; status: number }[] = [];
  for (const [i, response] of answers.entries()) {
    const body = await response.text();
    const bad = describeBadAnswer(response.status, response.headers, body, { allow503: true });
    expect(bad).toBeNull();
    results.push({ text: writes[i]?.text ?? batch, status: response.status });
  }
  return results;
}

/** Whether a write of `writeMix` is in the database. */
function isStored(db: Database, text: string): boolean {
  const inRuns = db.query("SELECT 1 FROM runs WHERE name = ?").get(text);
  const inEvents = db.query("SELECT 1 FROM events WHERE message = ?").get(text);
  return Boolean(inRuns ?? inEvents);
}

function expectConsistent(db: Database) {
  expect(db.query("PRAGMA integrity_check").get()).toEqual({ integrity_check: "ok" });
  const drift = db
    .query(
      `SELECT count(*) AS n FROM runs
            WHERE event_count != (SELECT count(*) FROM events WHERE run_id = runs.id)`,
    )
    .get() as { n: number };
  expect(drift.n).toBe(0);
}

/** A daemon (the binary) on a tmpfs of `sizeKiB`, with one run; all removed after the test. */
async function daemonOnTmpfs(sizeKiB: number) {
  const dir = makeTempDir();
  cleanups.push(dir.cleanup);
  cleanups.push(mountTmpfs(dir.path, sizeKiB));
  const dbPath = join(dir.path, "statusbox.db");
  const daemon = await spawnKeyedDaemon(dbPath);
  cleanups.push(() => daemon.proc.kill("SIGKILL"));
  const headers = daemon.auth;
  const send: Send = (path, body) =>
    fetch(daemon.url + path, { method: "POST", headers, body: JSON.stringify(body) });
  const created = await send("/api/jobs/", { name: "d", timeoutSeconds: 60 });
  const runId = ((await created.json()) as { id: number }).id;
  return { dir, dbPath, daemon, send, runId };
}

describe("a full disk while the daemon runs", () => {
  test("writes get 503 with Retry-After, store nothing, then succeed with room", async () => {
    const daemon: TestDaemon = await startTestDaemon();
    cleanups.push(() => daemon.close());
    const runId = await createRun(daemon);
    const send: Send = (path, body) => daemon.post(path, body);

    // The daemon's own connection may not grow the file: SQLite reports SQLITE_FULL, as it
    // does when the disk itself is full, part-way through a batch.
    const pages = (daemon.db.query("PRAGMA page_count").get() as { page_count: number }).page_count;
    daemon.db.run(`PRAGMA max_page_count = ${pages}`);
    const refused = await writeMix(send, runId, "full");
    expect(refused.some((r) => r.status === 503)).toBe(true);
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);

    daemon.db.run("PRAGMA max_page_count = 1073741823");
    const accepted = await writeMix(send, runId, "room");
    expect(accepted.every((r) => r.status === 200)).toBe(true);

    for (const { text, status } of [...refused, ...accepted]) {
      expect({ text: text.slice(0, 20), stored: isStored(daemon.db, text) }).toEqual({
        text: text.slice(0, 20),
        stored: status === 200,
      });
    }
    expectConsistent(daemon.db);
  });

  test.skipIf(!canMount())(
    "on a real full file system the daemon answers 503, then recovers",
    async () => {
      const { dir, dbPath, daemon, send, runId } = await daemonOnTmpfs(4096);

      const filler = fillDisk(dir.path);
      const refused: { text: string; status: number }[] = [];
      for (let round = 0; round < 10 && !refused.some((r) => r.status === 503); round++) {
        refused.push(...(await writeMix(send, runId, `full${round}`)));
      }
      expect(refused.some((r) => r.status === 503)).toBe(true);
      expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);

      rmSync(filler);
      const accepted = await writeMix(send, runId, "room");
      expect(accepted.every((r) => r.status === 200)).toBe(true);
      expect(await daemon.stop()).toBe(0);

      const db = new Database(dbPath);
      cleanups.push(() => db.close());
      for (const { text, status } of [...refused, ...accepted]) {
        if (status === 200) expect(isStored(db, text)).toBe(true);
        else expect(isStored(db, text)).toBe(false);
      }
      expectConsistent(db);
    },
  );

  test.skipIf(!canMount())(
    "a reader holding the log on a nearly full disk: writes wait, then go on with no one freeing room",
    async () => {
      const { dbPath, daemon, send, runId } = await daemonOnTmpfs(64 * 1024);

      // A reader's snapshot: no checkpoint copies past it, so the log grows with every write.
      const reader = new Database(dbPath, { readonly: true });
      reader.run("BEGIN");
      reader.query("SELECT count(*) FROM events").get();
      const answers: { text: string; status: number; error?: string }[] = [];
      const held = () => answers.find((a) => a.error?.includes("too little disk room"));
      for (let round = 0; round < 1000 && !held(); round++) {
        const texts = Array.from({ length: 16 }, (_, i) => bulky(`hold-${round}-${i}`));
        const responses = await Promise.all(
          texts.map((text) => send(`/jobs/${runId}`, { message: text })),
        );
        for (const [i, response] of responses.entries()) {
          const body = await response.text();
          const bad = describeBadAnswer(response.status, response.headers, body, {
            allow503: true,
          });
          expect(bad).toBeNull();
          const error =
            response.status === 503 ? (JSON.parse(body) as { error: string }).error : undefined;
          answers.push({ text: texts[i]!, status: response.status, error });
        }
      }
      // Refused while room was left for the log to go back, not by a disk already full.
      expect(held()?.error).toMatch(/write-ahead log \(\d+ MiB\) to go back into the database/);
      reader.run("COMMIT");
      reader.close();

      let resumed = 0;
      for (let attempt = 0; attempt < 150 && resumed !== 200; attempt++) {
        await Bun.sleep(100);
        const text = `after-${attempt}`;
        resumed = (await send(`/jobs/${runId}`, { message: text })).status;
        answers.push({ text, status: resumed });
      }
      expect(resumed).toBe(200);
      expect(await daemon.stop()).toBe(0);

      const db = new Database(dbPath);
      cleanups.push(() => db.close());
      for (const { text, status } of answers) expect(isStored(db, text)).toBe(status === 200);
      expectConsistent(db);
    },
  );
});
