import { describe, expect, test } from "bun:test";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { startDaemon } from "../src/daemon.ts";
import { silentLogger } from "../src/log/logger.ts";
import { runStatusbox } from "./helpers/binary.ts";
import { spawnKeyedDaemon } from "./helpers/keyed-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const start = (dbPath: string) =>
  startDaemon({ dbPath, host: "127.0.0.1", port: 0, logger: silentLogger });

describe("one daemon a database", () => {
  test("a second daemon on the same database refuses to start and changes nothing", async () => {
    const dir = makeTempDir();
    const dbPath = join(dir.path, "statusbox.db");
    const first = await start(dbPath);
    try {
      const refused = start(dbPath);
      await expect(refused).rejects.toThrow(
        `cannot open the database ${dbPath}: another statusbox daemon is serving it ` +
          `(it holds ${dbPath}.lock); stop that one first, or give this one another --db`,
      );
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
    } finally {
      await first.stop();
    }

    const next = await start(dbPath);
    // The lock file is the only file beside the database's own: no journal of its own.
    expect(readdirSync(dir.path).sort()).toEqual([
      "statusbox.db",
      "statusbox.db-shm",
      "statusbox.db-wal",
      "statusbox.db.lock",
    ]);
    await next.stop();
    expect(statSync(`${dbPath}.lock`).mode & 0o777).toBe(0o600);
    dir.cleanup();
  });

  test("statusbox serve says so in one line and exits 1", async () => {
    const dir = makeTempDir();
    const dbPath = join(dir.path, "statusbox.db");
    const running = await spawnKeyedDaemon(dbPath);
    try {
      const second = await runStatusbox(["serve", "--port", "0", "--db", dbPath]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain("another statusbox daemon is serving it");
      expect(second.stdout).not.toContain("sbx_");
    } finally {
      await running.stop();
      dir.cleanup();
    }
  });

  test("a daemon killed with SIGKILL leaves no lock behind", async () => {
    const dir = makeTempDir();
    const dbPath = join(dir.path, "statusbox.db");
    const killed = await spawnKeyedDaemon(dbPath);
    await killed.stop("SIGKILL");

    const restarted = await spawnKeyedDaemon(dbPath, { key: killed.key });
    const health = await fetch(`${restarted.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await restarted.stop()).toBe(0);
    dir.cleanup();
  });
});
