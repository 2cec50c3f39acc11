import { Database } from "bun:sqlite";
import { expect, test } from "bun:test";
import { join } from "node:path";
import { spawnDaemon } from "./helpers/process-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

test("every write answered 200 is in the database after kill -9 of the daemon", async () => {
  const dir = makeTempDir();
  const dbPath = join(dir.path, "crash.db");
  const daemon = await spawnDaemon(dbPath);
  const headers = {
    authorization: `ApiKey ${daemon.firstKey}`,
    "content-type": "application/json",
  };
  const acknowledged: { id: number; messages: string[] }[] = [];

  let stop = false;
  const client = async (n: number) => {
    for (let i = 0; !stop; i++) {
      try {
        const created = await fetch(`${daemon.url}/api/jobs/`, {
          method: "POST",
          headers,
          body: JSON.stringify({ name: `crash-${n}`, timeoutSeconds: 600 }),
        });
        if (created.status !== 200) return;
        const { id } = (await created.json()) as { id: number };
        const entry = { id, messages: [] as string[] };
        acknowledged.push(entry);
        const message = `client ${n} message ${i}`;
        const logged = await fetch(`${daemon.url}/jobs/${id}`, {
          method: "POST",
          headers,
          body: JSON.stringify({ message }),
        });
        if (logged.status === 200) entry.messages.push(message);
      } catch {
        return; // the daemon is gone
      }
    }
  };
  const clients = Array.from({ length: 8 }, (_, n) => client(n));
  await Bun.sleep(400);
  daemon.proc.kill("SIGKILL");
  stop = true;
  await Promise.all(clients);
  await daemon.proc.exited;
  expect(acknowledged.length).toBeGreaterThan(10);

  const db = new Database(dbPath);
  try {
    expect(
      (db.query("PRAGMA integrity_check").get() as { integrity_check: string }).integrity_check,
    ).toBe("ok");
    const runQuery = db.query("SELECT name FROM runs WHERE id = ?");
    const logQuery = db.query("SELECT message FROM events WHERE run_id = ? AND kind = 'log'");
    for (const entry of acknowledged) {
      expect(runQuery.get(entry.id)).toBeTruthy();
      const stored = (logQuery.all(entry.id) as { message: string }[]).map((r) => r.message);
      for (const message of entry.messages) expect(stored).toContain(message);
    }
    const orphans = db
      .query("SELECT count(*) AS n FROM events WHERE run_id NOT IN (SELECT id FROM runs)")
      .get() as { n: number };
    expect(orphans.n).toBe(0);
  } finally {
    db.close();
    dir.cleanup();
  }
});
