import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runStatusbox } from "./helpers/binary.ts";
import { spawnDaemon } from "./helpers/process-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { makeTuiDb, T0, type TuiDb } from "./helpers/tui-db.ts";

let fixture: TuiDb;
beforeEach(() => {
  fixture = makeTuiDb();
});
afterEach(() => fixture.cleanup());

const watch = (...args: string[]) => runStatusbox(["watch", ...args]);

describe("statusbox watch when stdout is not a terminal", () => {
  test("prints the runs table once as plain text, newest first, and exits 0", async () => {
    fixture.add({ name: "backup", version: "1.2", status: "completed", finishedAt: T0 + 65_000 });
    fixture.add({ name: "transcode", version: null, createdAt: Date.now(), timeoutSeconds: 600 });

    const { code, stdout, stderr } = await watch("--db", fixture.path);
    expect(code).toBe(0);
    expect(stderr).toBe("");
    expect(stdout).not.toContain("\x1b");
    const lines = stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^ID +NAME +VERSION +STATUS +STARTED +DURATION +TIME LEFT$/);
    expect(lines[1]).toMatch(
      /^2 +transcode +- +running +\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ +- +(9|10)m\d\ds$/,
    );
    expect(lines[2]).toMatch(/^1 +backup +1\.2 +completed +2026-01-01T12:00:00Z +1m05s +-$/);
  });

  test("--once filters by status and name and limits the rows", async () => {
    fixture.add({ name: "db-backup", status: "failed" });
    fixture.add({ name: "web-backup", status: "completed" });
    fixture.add({ name: "Backup-logs", status: "failed" });
    fixture.add({ name: "report", status: "failed" });

    const { code, stdout } = await watch(
      "--db",
      fixture.path,
      "--once",
      "--status",
      "failed",
      "--name",
      "BACKUP",
      "--limit",
      "1",
    );
    expect(code).toBe(0);
    expect(stdout.trimEnd().split("\n").slice(1)).toEqual([
      expect.stringMatching(/^3 +Backup-logs/),
    ]);
  });

  test("reads the database named by STATUSBOX_DB", async () => {
    fixture.add({ name: "from-env" });
    const result = await runStatusbox(["watch", "--once"], { env: { STATUSBOX_DB: fixture.path } });
    expect(result.stdout).toContain("from-env");
  });
});

describe("statusbox watch refusing", () => {
  test("a missing database: one clear line, exit 1, no stack trace, nothing created", async () => {
    const dir = makeTempDir();
    try {
      const path = join(dir.path, "nope.db");
      const { code, stdout, stderr } = await watch("--db", path);
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr).toBe(
        `statusbox watch: no database at ${path}; start the daemon there first ` +
          "('statusbox serve --db PATH') or pass --db\n",
      );
      expect(existsSync(path)).toBe(false);
    } finally {
      dir.cleanup();
    }
  });

  test("a file that is not a StatusBox database: exit 1 with a sentence", async () => {
    const dir = makeTempDir();
    try {
      const path = join(dir.path, "notes.txt");
      writeFileSync(path, "hello ".repeat(200));
      const { code, stderr } = await watch("--db", path);
      expect(code).toBe(1);
      expect(stderr).toBe(`statusbox watch: ${path} is not a SQLite database\n`);
    } finally {
      dir.cleanup();
    }
  });

  test("bad options: the usage and exit 2", async () => {
    for (const args of [
      ["--status", "finished"],
      ["--limit", "0"],
      ["--window", "2d"],
      ["--nope"],
    ]) {
      const { code, stderr } = await watch("--db", fixture.path, ...args);
      expect(code).toBe(2);
      expect(stderr).toContain("Usage: statusbox watch");
    }
    const { stderr } = await watch("--db", fixture.path, "--status", "finished");
    expect(stderr).toStartWith("statusbox watch: --status must be one of running, completed,");
  });
});

test("--help describes the keys and the options", async () => {
  const { code, stdout } = await watch("--help");
  expect(code).toBe(0);
  for (const text of ["--once", "--status", "--window", "q or Ctrl-C quits", "NO_COLOR"]) {
    expect(stdout).toContain(text);
  }
});

test("reads the database with the daemon running, then stopped, never changing it", async () => {
  fixture.db.close();
  const daemon = await spawnDaemon(fixture.path);
  try {
    const created = await fetch(`${daemon.url}/api/jobs/`, {
      method: "POST",
      headers: { authorization: `ApiKey ${daemon.firstKey}` },
      body: JSON.stringify({ name: "while-running", timeoutSeconds: 60 }),
    });
    expect(created.status).toBe(200);
    expect(existsSync(`${fixture.path}-wal`)).toBe(true);
    const during = await watch("--db", fixture.path);
    expect(during.code).toBe(0);
    expect(during.stdout).toMatch(/while-running +- +running/);
  } finally {
    expect(await daemon.stop()).toBe(0);
  }

  expect(existsSync(`${fixture.path}-wal`)).toBe(false);
  const before = readFileSync(fixture.path);
  const after = await watch("--db", fixture.path);
  expect(after.stdout).toContain("while-running");
  expect(readFileSync(fixture.path).equals(before)).toBe(true);
  fixture.db = new (await import("bun:sqlite")).Database(fixture.path);
});
