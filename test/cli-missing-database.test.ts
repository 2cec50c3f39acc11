import { afterEach, expect, test } from "bun:test";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { runStatusbox } from "./helpers/binary.ts";
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

/** The commands that only find what is in a database, so have nothing to do without one. */
const NEED_A_DATABASE = [["keys", "list"], ["keys", "revoke", "1"], ["alerts", "log"], ["prune"]];

/** No STATUSBOX_DB or config file from the machine running the tests. */
const CLEAN_ENV = { STATUSBOX_DB: "", STATUSBOX_CONFIG: "" };

test("commands that only read or remove refuse a missing --db and create no file", async () => {
  const dir = tempDir();
  const db = join(dir, "typo", "statusbox.db");
  for (const args of NEED_A_DATABASE) {
    const result = await runStatusbox([...args, "--db", db], { env: CLEAN_ENV });
    expect({ args, code: result.code, stdout: result.stdout }).toEqual({
      args,
      code: 1,
      stdout: "",
    });
    expect(result.stderr).toBe(
      `statusbox: cannot open database ${db}: no such file ` +
        "('statusbox serve' or 'keys create' creates one)\n",
    );
  }
  expect(existsSync(join(dir, "typo"))).toBe(false);
});

test("without --db in an empty folder they refuse ./statusbox.db and leave the folder empty", async () => {
  const dir = tempDir();
  for (const args of NEED_A_DATABASE) {
    const result = await runStatusbox(args, { cwd: dir, env: CLEAN_ENV });
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith(`statusbox: cannot open database ${dir}/statusbox.db: `);
  }
  expect(readdirSync(dir)).toEqual([]);
});

test("keys create still makes a new database, which the others then read", async () => {
  const dir = tempDir();
  const db = join(dir, "statusbox.db");
  expect((await runStatusbox(["keys", "create", "--db", db], { env: CLEAN_ENV })).code).toBe(0);
  const listed = await runStatusbox(["keys", "list", "--db", db], { env: CLEAN_ENV });
  expect(listed.code).toBe(0);
  expect(listed.stdout).toContain("unnamed");
  const log = await runStatusbox(["alerts", "log", "--db", db], { env: CLEAN_ENV });
  expect(log).toMatchObject({ code: 0, stdout: "No delivery attempts yet.\n" });
});
