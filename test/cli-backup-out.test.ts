import { afterEach, describe, expect, test } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { openDatabase } from "../src/storage/database.ts";
import { runStatusbox, statusboxCommand } from "./helpers/binary.ts";
import { canMount, mountTmpfs } from "./helpers/mounts.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0).reverse()) cleanup();
});

/** A folder holding a fresh StatusBox database, statusbox.db. */
function withDatabase(): { dir: string; db: string } {
  const temp = makeTempDir();
  cleanups.push(temp.cleanup);
  const db = join(temp.path, "statusbox.db");
  openDatabase(db).close();
  return { dir: temp.path, db };
}

const isRoot = process.getuid?.() === 0;
const AS_NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"];
const canBeUnprivileged = !isRoot || Bun.which("setpriv") !== null;

describe("backup --out that cannot be written", () => {
  test("an existing folder, with or without --force: one sentence, exit 1, folder untouched", async () => {
    const { dir, db } = withDatabase();
    const folder = join(dir, "backups");
    mkdirSync(folder);
    for (const force of [[], ["--force"]]) {
      const result = await runStatusbox(["backup", "--out", folder, "--db", db, ...force]);
      expect(result.code).toBe(1);
      expect(result.stderr).toBe(
        `statusbox backup: --out ${folder} is a folder; name a file in it, such as ` +
          `${join(folder, "statusbox.db")}\n`,
      );
    }
    expect(readdirSync(folder)).toEqual([]);
    expect(readdirSync(dir).filter((name) => name.includes(".partial-"))).toEqual([]);
  });

  test.skipIf(!canMount())(
    "a disk too small for the copy: exit 1, nothing left behind",
    async () => {
      const { dir, db } = withDatabase();
      const filler = new Database(db);
      filler.run("CREATE TABLE filler (b BLOB)");
      // Far larger than the disk: the copy fails once SQLite has started its journal.
    for (let i = 0; i < 40; i++) filler.run("INSERT INTO filler VALUES (randomblob(100000))");
      filler.close();
      const small = join(dir, "small");
      mkdirSync(small);
      cleanups.push(mountTmpfs(small, 256));

      for (let attempt = 0; attempt < 2; attempt++) {
        const result = await runStatusbox(["backup", "--out", join(small, "copy.db"), "--db", db]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain("the disk is full");
      }
      expect(readdirSync(small)).toEqual([]);
    },
  );

  test("a missing folder is created, as the usage says", async () => {
    const { dir, db } = withDatabase();
    const copy = join(dir, "new", "deeper", "copy.db");
    const result = await runStatusbox(["backup", "--out", copy, "--db", db]);
    expect(result.code).toBe(0);
    expect(existsSync(copy)).toBe(true);
  });

  test("a path through a file names the file that is in the way", async () => {
    const { dir, db } = withDatabase();
    writeFileSync(join(dir, "plain"), "not a folder");
    const result = await runStatusbox([
      "backup",
      "--out",
      join(dir, "plain", "copy.db"),
      "--db",
      db,
    ]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`${join(dir, "plain")} is a file, not a folder`);
    expect(result.stderr).not.toContain("ENOTDIR");
  });

  test.skipIf(!canBeUnprivileged)("a folder this user may not write", async () => {
    const { dir, db } = withDatabase();
    const locked = join(dir, "locked");
    mkdirSync(locked);
    chmodSync(dir, 0o755);
    chmodSync(db, 0o644);
    chmodSync(locked, 0o555);
    const prefix = isRoot ? AS_NOBODY : [];
    for (const copy of [join(locked, "copy.db"), join(locked, "sub", "copy.db")]) {
      const proc = Bun.spawnSync(
        [...prefix, ...statusboxCommand(), "backup", "--out", copy, "--db", db],
        { env: { ...process.env, HOME: "/tmp" } },
      );
      expect(proc.exitCode).toBe(1);
      expect(proc.stderr.toString()).toBe(
        `statusbox backup: cannot write ${copy}: the folder ${locked} is not writable for this user\n`,
      );
    }
  });
});
