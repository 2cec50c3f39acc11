import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { runStatusbox } from "./helpers/binary.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const SERVER_VARIABLES = ["STATUSBOX_CONFIG", "STATUSBOX_HOST", "STATUSBOX_PORT", "STATUSBOX_DB"];
/** The STATUSBOX_* variables a test's own environment might set, emptied for a child. */
const NO_VARIABLES = Object.fromEntries(SERVER_VARIABLES.map((name) => [name, ""]));

let dir: ReturnType<typeof makeTempDir>;
beforeEach(() => {
  dir = makeTempDir();
});
afterEach(() => dir.cleanup());

describe("./statusbox.toml is read when no file is named", () => {
  test("config check in a folder holding one with a mistake refuses it", async () => {
    writeFileSync(join(dir.path, "statusbox.toml"), "[server]\nport = 70000\n");
    const check = await runStatusbox(["config", "check"], { cwd: dir.path, env: NO_VARIABLES });
    expect(check.code).toBe(1);
    expect(check.stderr).toBe(
      "statusbox config check: ./statusbox.toml: server.port must be from 0 to 65535\n",
    );
  });

  test("config check in a folder holding a valid one says it is ok", async () => {
    writeFileSync(join(dir.path, "statusbox.toml"), '[server]\nport = 9090\ndb = "jobs.db"\n');
    const check = await runStatusbox(["config", "check"], { cwd: dir.path, env: NO_VARIABLES });
    expect(check).toEqual({ code: 0, stdout: "./statusbox.toml: ok\n", stderr: "" });
  });

  test("serve in a folder holding one with a mistake stops before opening a database", async () => {
    writeFileSync(join(dir.path, "statusbox.toml"), "[server]\nsurprise = 1\n");
    const serve = await runStatusbox(["serve", "--port", "0"], {
      cwd: dir.path,
      env: NO_VARIABLES,
      timeoutMs: 4000,
    });
    expect(serve.code).toBe(2);
    expect(serve.stderr).toContain("./statusbox.toml: unknown key 'server.surprise'");
    expect(existsSync(join(dir.path, "statusbox.db"))).toBe(false);
  });

  test("config check in a folder without one says there is no file", async () => {
    const check = await runStatusbox(["config", "check"], { cwd: dir.path, env: NO_VARIABLES });
    expect(check.code).toBe(1);
    expect(check.stderr).toContain("no config file");
  });
});
