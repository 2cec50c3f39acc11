import { expect, test } from "bun:test";
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { runStatusbox } from "./helpers/binary.ts";
import { tempDirsPerTest } from "./helpers/temp-dir.ts";

const tempDir = tempDirsPerTest();

/** The commands that take --db and write to it (create, upgrade), beside serve. */
const COMMANDS = [
  ["keys", "create"],
  ["keys", "list"],
  ["keys", "revoke", "1"],
  ["alerts", "log"],
  ["prune"],
];

/** No STATUSBOX_DB or config file from the machine running the tests. */
const CLEAN_ENV = { STATUSBOX_DB: "", STATUSBOX_CONFIG: "" };

const notice = (path: string) =>
  `statusbox: there was no database at ${path}; created a new, empty one\n`;

test("each command that takes --db creates a missing database and its folder, and says so", async () => {
  for (const args of COMMANDS) {
    const dir = tempDir();
    const db = join(dir, "new", "statusbox.db");
    const result = await runStatusbox([...args, "--db", db], { env: CLEAN_ENV });
    expect({ args, stderr: result.stderr.split("\n")[0] + "\n" }).toEqual({
      args,
      stderr: notice(db),
    });
    expect(statSync(db).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "new")).mode & 0o777).toBe(0o700);
  }
});

test("without --db they create ./statusbox.db in the working folder, said on stderr", async () => {
  const dir = tempDir();
  const result = await runStatusbox(["alerts", "log"], { cwd: dir, env: CLEAN_ENV });
  expect(result).toMatchObject({ code: 0, stdout: "No delivery attempts yet.\n" });
  expect(result.stderr).toBe(notice(join(dir, "statusbox.db")));
  expect(readdirSync(dir)).toContain("statusbox.db");
});

test("an existing database is opened without a word", async () => {
  const dir = tempDir();
  const db = join(dir, "statusbox.db");
  expect((await runStatusbox(["keys", "create", "--db", db], { env: CLEAN_ENV })).code).toBe(0);
  const listed = await runStatusbox(["keys", "list", "--db", db], { env: CLEAN_ENV });
  expect(listed).toMatchObject({ code: 0, stderr: "" });
  expect(listed.stdout).toContain("unnamed");
  const log = await runStatusbox(["alerts", "log", "--db", db], { env: CLEAN_ENV });
  expect(log).toMatchObject({ code: 0, stderr: "", stdout: "No delivery attempts yet.\n" });
});
