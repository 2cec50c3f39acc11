import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { runStatusbox, statusboxCommand } from "./helpers/binary.ts";
import { tempDirsPerTest } from "./helpers/temp-dir.ts";

const tempDir = tempDirsPerTest();

/** Every command that opens the database with --db, as a person would type it. */
function commandsOn(db: string, out: string): string[][] {
  return [
    ["keys", "list", "--db", db],
    ["keys", "create", "--name", "x", "--db", db],
    ["keys", "revoke", "1", "--db", db],
    ["alerts", "log", "--db", db],
    ["prune", "--db", db],
    ["backup", "--out", out, "--db", db],
  ];
}

/** One line on stderr in the shared shape, exit 1, nothing on stdout, no stack trace. */
function expectOneLine(result: { code: number; stdout: string; stderr: string }, line: RegExp) {
  expect(result.code).toBe(1);
  expect(result.stdout).toBe("");
  expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
  expect(result.stderr).toMatch(line);
  expect(result.stderr).not.toMatch(/^\s+at /m);
}

const isRoot = process.getuid?.() === 0;
/** As root, the same command as the unprivileged user `nobody`, for whom modes count. */
const AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
const canBeUnprivileged = !isRoot || Bun.which("setpriv") !== null;

/** Another application's SQLite file: its own table, schema version `version`. */
function foreignDatabase(path: string, version = 0): Buffer {
  const db = new Database(path, { create: true });
  db.run("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)");
  db.run("INSERT INTO users (email) VALUES ('a@example.com')");
  db.run(`PRAGMA user_version = ${version}`);
  db.close();
  return readFileSync(path);
}

describe("a --db that cannot be opened", () => {
  test("a folder: one line naming the path and why, exit 1, for every command", async () => {
    const dir = tempDir();
    for (const args of commandsOn(dir, join(dir, "copy.db"))) {
      const result = await runStatusbox(args);
      if (args[0] === "backup") {
        expect(result.code).toBe(1);
        expect(result.stderr).toContain("is not a database file");
        continue;
      }
      expectOneLine(result, new RegExp(`^statusbox: cannot open database ${dir}: .*folder`));
    }
  });

  test("a FIFO, a device, a dangling link or a loop of links: one line that names it", async () => {
    const dir = tempDir();
    const fifo = join(dir, "fifo.db");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    const dangling = join(dir, "dangling.db");
    symlinkSync(join(dir, "missing", "statusbox.db"), dangling);
    const loop = join(dir, "loop.db");
    symlinkSync(join(dir, "loop2.db"), loop);
    symlinkSync(loop, join(dir, "loop2.db"));
    const cases: [string, RegExp][] = [
      [fifo, /fifo\.db: that path is a FIFO, not a file/],
      ["/dev/null", /\/dev\/null: that path is a device, not a file/],
      [dangling, /dangling\.db: a symbolic link to .*missing\/statusbox\.db, which does not exist/],
      [loop, /loop\.db: a loop of symbolic links/],
    ];
    for (const [path, why] of cases) {
      for (const args of commandsOn(path, join(dir, "copy.db"))) {
        const result = await runStatusbox(args, { timeoutMs: 5000 });
        if (args[0] === "backup") {
          // Its own words: "no database at PATH", "PATH is not a database file".
          expect(result.code).toBe(1);
          expect(result.stderr).toMatch(
            /^statusbox backup: (no database at \S+|\S+ is not a database file)\n$/,
          );
          continue;
        }
        expectOneLine(result, new RegExp(`^statusbox: cannot open database \\S*${why.source}`));
      }
    }
  });

  test("a file that is not SQLite: one line, exit 1, the file unchanged", async () => {
    const dir = tempDir();
    const path = join(dir, "x.db");
    writeFileSync(path, "hello\n");
    for (const args of commandsOn(path, join(dir, "copy.db"))) {
      const result = await runStatusbox(args);
      expectOneLine(result, /^statusbox: cannot open database .*x\.db: the file is not a database/);
    }
    expect(readFileSync(path, "utf8")).toBe("hello\n");
    expect(existsSync(join(dir, "copy.db"))).toBe(false);
  });

  test.skipIf(!canBeUnprivileged)("a new file in a folder this user may not write", async () => {
    const dir = tempDir();
    const locked = join(dir, "locked");
    mkdirSync(locked);
    chmodSync(dir, 0o755);
    chmodSync(locked, 0o555);
    const prefix = isRoot ? AS_NOBODY : [];
    for (const db of [join(locked, "new.db"), join(locked, "sub", "new.db")]) {
      const command = [...prefix, ...statusboxCommand(), "keys", "create", "--db", db];
      const proc = Bun.spawnSync(command, {
        env: { ...process.env, HOME: "/tmp" },
      });
      expectOneLine(
        { code: proc.exitCode, stdout: proc.stdout.toString(), stderr: proc.stderr.toString() },
        new RegExp(`^statusbox: cannot open database ${db}: the folder ${locked} is not writable`),
      );
    }
  });
});

describe("a SQLite file that is not a StatusBox database", () => {
  test("is refused by every command and left byte for byte as it was", async () => {
    const dir = tempDir();
    const path = join(dir, "other-app.sqlite");
    const before = foreignDatabase(path);
    for (const args of commandsOn(path, join(dir, "copy.db"))) {
      const result = await runStatusbox(args);
      expectOneLine(
        result,
        /^statusbox: cannot open database .*other-app\.sqlite: it is not a StatusBox database .*users/,
      );
    }
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(existsSync(`${path}-wal`)).toBe(false);
  });

  test("one with a schema version of its own is refused too", async () => {
    const dir = tempDir();
    const path = join(dir, "versioned.sqlite");
    const before = foreignDatabase(path, 3);
    const result = await runStatusbox(["keys", "list", "--db", path]);
    expectOneLine(result, /it is not a StatusBox database \(schema version 3, tables: users\)/);
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  test("serve refuses it at start-up with exit 1 and leaves it untouched", async () => {
    const dir = tempDir();
    const path = join(dir, "other-app.sqlite");
    const before = foreignDatabase(path);
    const proc = Bun.spawn([...statusboxCommand(), "serve", "--port", "0", "--db", path], {
      stdout: "pipe",
      stderr: "pipe",
      timeout: 10_000,
    });
    const [stdout, stderr, code] = await Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ]);
    expect(code).toBe(1);
    expect(stdout).toBe("");
    expect(stderr).toContain("is not a StatusBox database");
    expect(readFileSync(path).equals(before)).toBe(true);
  });

  test("an empty file is still initialised as a new database", async () => {
    const dir = tempDir();
    const path = join(dir, "empty.db");
    writeFileSync(path, "");
    const result = await runStatusbox(["keys", "create", "--db", path]);
    expect(result.code).toBe(0);
    expect((await runStatusbox(["keys", "list", "--db", path])).stdout).toContain("unnamed");
  });
});
