import { Database } from "bun:sqlite";
import { afterEach, expect, test } from "bun:test";
import { closeSync, openSync, realpathSync, renameSync, rmSync, writeSync } from "node:fs";
import { dirname, join } from "node:path";
import { runStatusbox } from "./helpers/binary.ts";
import { spawnDaemon, type DaemonProcess } from "./helpers/process-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Overwrites the root page of `table` with garbage, as a failing disk or a stray write would. */
function damageTable(dbPath: string, table: string): void {
  const db = new Database(dbPath);
  const { rootpage } = db
    .query<{ rootpage: number }, [string]>("SELECT rootpage FROM sqlite_master WHERE name = ?")
    .get(table)!;
  const { page_size } = db.query<{ page_size: number }, []>("PRAGMA page_size").get()!;
  db.exec("PRAGMA wal_checkpoint(TRUNCATE)");
  db.close();
  const fd = openSync(dbPath, "r+");
  writeSync(fd, Buffer.alloc(page_size, 0xab), 0, page_size, (rootpage - 1) * page_size);
  closeSync(fd);
}

/** A database path in a temporary folder of this test's own. */
function newDbPath(): string {
  const dir = makeTempDir();
  cleanups.push(dir.cleanup);
  return join(dir.path, "statusbox.db");
}

async function startDaemon(dbPath: string): Promise<DaemonProcess> {
  const daemon = await spawnDaemon(dbPath);
  cleanups.push(() => daemon.stop("SIGKILL"));
  return daemon;
}

/** POST /api/jobs/ of a run named backup. */
const createRun = (daemon: DaemonProcess, key: string | null = daemon.firstKey) =>
  fetch(`${daemon.url}/api/jobs/`, {
    method: "POST",
    headers: { authorization: `ApiKey ${key}`, "content-type": "application/json" },
    body: JSON.stringify({ name: "backup", timeoutSeconds: 60 }),
  });

test("a damaged database answers 503 with a sentence saying so, and the log says it too", async () => {
  const dbPath = newDbPath();
  const created = await runStatusbox(["keys", "create", "--db", dbPath]);
  const key = created.stdout.trim().split("\n").at(-1)!;
  damageTable(dbPath, "events");

  const daemon = await startDaemon(dbPath);
  for (let i = 0; i < 3; i++) {
    const response = await createRun(daemon, key);
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(await response.json()).toEqual({
      status: "error",
      code: "unavailable",
      error:
        "the database file is damaged (SQLITE_CORRUPT); StatusBox's operator must restore it " +
        "from a backup",
    });
  }
  // One line for the three refusals (a full disk would refuse every write: one line per
  // 10 s at most), naming SQLite's own error.
  const lines = daemon
    .log()
    .split("\n")
    .filter((line) => line.includes("storage failure"));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain("ERROR storage failure: request refused with 503");
  expect(lines[0]).toContain("database disk image is malformed");
});

test("a database file deleted under the daemon: writes refused with 503, /healthz fails, the log says why", async () => {
  const dbPath = newDbPath();
  const daemon = await startDaemon(dbPath);
  expect((await createRun(daemon)).status).toBe(200);

  for (const suffix of ["", "-wal", "-shm"]) rmSync(dbPath + suffix, { force: true });
  const health = await waitFor(
    async () => {
      const response = await fetch(`${daemon.url}/healthz`);
      return response.status === 503 ? response : null;
    },
    { what: "/healthz to fail", timeoutMs: 5000 },
  );
  const why =
    `the database file ${realpathSync(dirname(dbPath))}/statusbox.db was deleted while the daemon ran; ` +
    "writes are refused, since they would be lost: restart the daemon";
  expect(await health.json()).toEqual({ status: "error", code: "unavailable", error: why });

  const refused = await createRun(daemon);
  expect(refused.status).toBe(503);
  expect(((await refused.json()) as { error: string }).error).toBe(why);
  expect(daemon.log()).toContain("ERROR database file gone");
});

test("a database file renamed away and back is the same file: writes resume", async () => {
  const dbPath = newDbPath();
  const daemon = await startDaemon(dbPath);
  const healthStatus = async () => (await fetch(`${daemon.url}/healthz`)).status;

  renameSync(dbPath, `${dbPath}.away`);
  await waitFor(async () => (await healthStatus()) === 503, { what: "/healthz to fail" });
  renameSync(`${dbPath}.away`, dbPath);
  await waitFor(async () => (await healthStatus()) === 200, { what: "/healthz to pass again" });

  expect((await createRun(daemon)).status).toBe(200);
  expect(daemon.log()).toContain("INFO  database file back in place; writes resume");
});

test("a database damaged where start-up reads it is refused in one sentence, exit 1", async () => {
  const dbPath = newDbPath();
  await runStatusbox(["keys", "create", "--db", dbPath]);
  damageTable(dbPath, "runs_open_deadline");

  const serve = await runStatusbox(["serve", "--port", "0", "--db", dbPath], { timeoutMs: 10_000 });
  expect(serve.code).toBe(1);
  const lines = serve.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(
    `could not start error="cannot open the database ${realpathSync(dbPath)}: the file is ` +
      'damaged (database disk image is malformed): restore it from a backup"',
  );
});
