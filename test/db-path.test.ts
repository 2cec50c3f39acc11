import { describe, expect, test } from "bun:test";
import { chmodSync, linkSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startDaemon } from "../src/daemon.ts";
import { silentLogger } from "../src/log/logger.ts";
import { runStatusbox } from "./helpers/binary.ts";
import { tempDirsPerTest } from "./helpers/temp-dir.ts";

const tempDir = tempDirsPerTest();
const CLEAN_ENV = { STATUSBOX_DB: "", STATUSBOX_CONFIG: "" };
const start = (dbPath: string) =>
  startDaemon({ dbPath, host: "127.0.0.1", port: 0, logger: silentLogger });

describe("the database path names the file SQLite really uses", () => {
  test("through a symbolic link the daemon serves, durably, and is the one daemon of that file", async () => {
    const dir = tempDir();
    const real = join(dir, "real.db");
    const link = join(dir, "link.db");
    await (await start(real)).stop();
    symlinkSync(real, link);

    const daemon = await start(link);
    try {
      expect(daemon.db.filename).toBe(real);
      const key = daemon.keys.create("t", "write").secret;
      const created = await fetch(`${daemon.url}/api/jobs/`, {
        method: "POST",
        headers: { Authorization: `ApiKey ${key}` },
        body: JSON.stringify({ name: "via-link", timeoutSeconds: 60 }),
      });
      expect(created.status).toBe(200);
      await expect(start(real)).rejects.toThrow("another statusbox daemon is serving it");
    } finally {
      await daemon.stop();
    }
  });

  test("a file with two hard links is refused, by the daemon and the commands", async () => {
    const dir = tempDir();
    const real = join(dir, "real.db");
    await (await start(real)).stop();
    linkSync(real, join(dir, "other-name.db"));

    await expect(start(real)).rejects.toThrow("the file has 2 names (hard links)");
    for (const args of [
      ["keys", "list"],
      ["watch", "--once"],
      ["backup", "--out", "b.db"],
    ]) {
      const result = await runStatusbox([...args, "--db", real], { cwd: dir, env: CLEAN_ENV });
      expect({ args, code: result.code }).toEqual({ args, code: 1 });
      expect(result.stderr).toContain("2 names (hard links)");
    }
  });

  test("a lock file that is a link is refused, and what it points at keeps its mode", async () => {
    const dir = tempDir();
    const target = join(dir, "precious.txt");
    writeFileSync(target, "keep me");
    chmodSync(target, 0o644);
    symlinkSync(target, join(dir, "statusbox.db.lock"));

    await expect(start(join(dir, "statusbox.db"))).rejects.toThrow("cannot open the database");
    expect(statSync(target).mode & 0o777).toBe(0o644);
  });

  test("an empty --db, or one with white space at either end, is a usage error", async () => {
    const dir = tempDir();
    const cases: [string[], Record<string, string>, string][] = [
      [["--db", ""], {}, "--db must not be empty"],
      [["--db", "jobs.db "], {}, "--db must not start or end with white space, not 'jobs.db '"],
      [[], { STATUSBOX_DB: " jobs.db" }, "STATUSBOX_DB must not start or end with white space"],
    ];
    for (const [flags, env, sentence] of cases) {
      const result = await runStatusbox(["keys", "list", ...flags], {
        cwd: dir,
        env: { ...CLEAN_ENV, ...env },
      });
      expect({ flags, code: result.code }).toEqual({ flags, code: 2 });
      expect(result.stderr).toContain(sentence);
    }
    writeFileSync(join(dir, "statusbox.toml"), '[server]\ndb = ""\n');
    const fromFile = await runStatusbox(["keys", "list"], { cwd: dir, env: CLEAN_ENV });
    expect(fromFile.code).toBe(2);
    expect(fromFile.stderr).toContain("server.db must not be empty");
  });
});
