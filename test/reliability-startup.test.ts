import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runStatusbox, statusboxCommand } from "./helpers/binary.ts";
import { canMakeReadOnly, canMount, fillDisk, makeReadOnly, mountTmpfs } from "./helpers/mounts.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

function tempDir(): string {
  const dir = makeTempDir();
  cleanups.push(dir.cleanup);
  return dir.path;
}

const isRoot = process.getuid?.() === 0;
/** As root, the same command as the unprivileged user `nobody`, for whom modes count. */
const AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
const canDropPrivileges = isRoot && Bun.which("setpriv") !== null;

/** `statusbox serve` on `dbPath`, which should refuse to start: killed after 10 s if not. */
async function serve(dbPath: string, prefix: string[] = []) {
  const command = [...prefix, ...statusboxCommand(), "serve", "--port", "0", "--db", dbPath];
  const proc = Bun.spawn(command, {
    env: { ...process.env, HOME: "/tmp" },
    stdout: "pipe",
    stderr: "pipe",
    timeout: 10_000,
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}

/** A refusal to start: exit 1, one log line saying why, no stack trace, no key printed. */
function expectClearRefusal(result: { code: number; stdout: string; stderr: string }, why: RegExp) {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe("");
  const lines = result.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/ERROR could not start error="cannot open the database /);
  expect(lines[0]).toMatch(why);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

describe("a database the daemon cannot write at start-up", () => {
  test.skipIf(!canMakeReadOnly())("an existing database that is read-only", async () => {
    const dir = tempDir();
    const dbPath = join(dir, "statusbox.db");
    const created = Bun.spawnSync([...statusboxCommand(), "keys", "create", "--db", dbPath]);
    expect(created.exitCode).toBe(0);
    cleanups.push(makeReadOnly(dir, ["statusbox.db"]));

    expectClearRefusal(await serve(dbPath), /read-only|not writable/);
  });

  test.skipIf(!canMakeReadOnly())("a new database in a folder it may not write", async () => {
    const dir = tempDir();
    cleanups.push(makeReadOnly(dir));
    expectClearRefusal(await serve(join(dir, "new.db")), /read-only|not writable/);
    expectClearRefusal(await serve(join(dir, "sub", "new.db")), /read-only|not writable/);
  });

  test.skipIf(isRoot && !canDropPrivileges)(
    "a file it may not write, in a folder it may",
    async () => {
      // SQLite would open such a file read-only without a word, and every write would fail.
      const dir = tempDir();
      const dbPath = join(dir, "statusbox.db");
      const created = Bun.spawnSync([...statusboxCommand(), "keys", "create", "--db", dbPath]);
      expect(created.exitCode).toBe(0);
      chmodSync(dir, 0o777);
      chmodSync(dbPath, isRoot ? 0o644 : 0o444);
      cleanups.push(() => chmodSync(dbPath, 0o600));

      const result = await serve(dbPath, isRoot ? AS_NOBODY : []);
      expectClearRefusal(result, /the file is read-only for this user/);
    },
  );

  test.skipIf(!canMount())("a full disk", async () => {
    const dir = tempDir();
    cleanups.push(mountTmpfs(dir, 256));
    fillDisk(dir);
    expectClearRefusal(await serve(join(dir, "statusbox.db")), /the disk is full/);
  });

  test.skipIf(!canMount())("an existing database on a disk that has filled up since", async () => {
    // SQLite says only "disk I/O error" here: it cannot size the -shm file that opening
    // creates. The refusal must name the full disk all the same, for serve and the other
    // commands that open the database.
    const dir = tempDir();
    cleanups.push(mountTmpfs(dir, 1024));
    const dbPath = join(dir, "statusbox.db");
    expect((await runStatusbox(["keys", "create", "--db", dbPath])).code).toBe(0);
    fillDisk(dir);

    expectClearRefusal(await serve(dbPath), /the disk is full/);
    const listed = await runStatusbox(["keys", "list", "--db", dbPath], { timeoutMs: 10_000 });
    expect({ code: listed.code, stderr: listed.stderr.trim() }).toEqual({
      code: 1,
      stderr: `statusbox: cannot open database ${dbPath}: the disk is full`,
    });
    // The terminal UI opens it read-only, its own way, and must say the same.
    const watched = await runStatusbox(["watch", "--db", dbPath], { timeoutMs: 10_000 });
    expect({ code: watched.code, stderr: watched.stderr.trim() }).toEqual({
      code: 1,
      stderr: `statusbox watch: cannot open ${dbPath}: the disk is full`,
    });
  });

  test("a file where its folder should be, a folder where the file should be", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "plain-file"), "");
    mkdirSync(join(dir, "a-folder.db"));
    expectClearRefusal(
      await serve(join(dir, "plain-file", "statusbox.db")),
      /is a file, not a folder/,
    );
    expectClearRefusal(await serve(join(dir, "a-folder.db")), /that path is a folder/);
  });

  test("a file that is not a database", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "notes.db"),
      "these are not the pages you are looking for\n".repeat(200),
    );
    expectClearRefusal(await serve(join(dir, "notes.db")), /not a database/);
  });
});
