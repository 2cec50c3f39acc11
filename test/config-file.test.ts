import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ParsedArgs } from "../src/cli/command.ts";
import { resolveServeSettings } from "../src/config/serve-settings.ts";
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

describe("a named config file that is not a regular file is refused at once", () => {
  test("a FIFO (which would wait for a writer), a device, a folder, a file over 1 MiB", async () => {
    const fifo = join(dir.path, "fifo.toml");
    expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
    const big = join(dir.path, "big.toml");
    writeFileSync(big, `# ${"x".repeat(1024 * 1024)}\n`);
    const cases: [string, string][] = [
      [fifo, "not a regular file but a FIFO"],
      ["/dev/zero", "not a regular file but a device"],
      [dir.path, "not a regular file but a folder"],
      [big, "1048579 bytes, over the 1 MiB a config file may hold"],
    ];
    for (const [path, why] of cases) {
      const check = await runStatusbox(["config", "check", "--config", path], {
        env: NO_VARIABLES,
        timeoutMs: 4000,
      });
      expect(check.code).toBe(1);
      expect(check.stderr).toContain(`${path}: ${why}`);
    }
  });
});

describe("[server] host, port and db: flag, then STATUSBOX_*, then the file, then default", () => {
  const saved = new Map<string, string | undefined>();
  beforeEach(() => {
    for (const name of SERVER_VARIABLES) saved.set(name, process.env[name]);
    for (const name of SERVER_VARIABLES) delete process.env[name];
  });
  afterEach(() => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });

  const serverOf = (values: ParsedArgs["values"]) => {
    const { host, port, dbPath } = resolveServeSettings({ values, positionals: [] });
    return { host, port, dbPath };
  };
  const withFile = () => {
    const path = join(dir.path, "server.toml");
    writeFileSync(path, '[server]\nhost = "file.example"\nport = 1111\ndb = "file.db"\n');
    return path;
  };
  const setVariables = () => {
    process.env.STATUSBOX_HOST = "env.example";
    process.env.STATUSBOX_PORT = "2222";
    process.env.STATUSBOX_DB = "env.db";
  };

  test("with an empty file and nothing else, the defaults", () => {
    const config = join(dir.path, "empty.toml");
    writeFileSync(config, "");
    expect(serverOf({ config })).toEqual({
      host: "127.0.0.1",
      port: 8080,
      dbPath: "./statusbox.db",
    });
  });

  test("the file wins over the defaults", () => {
    expect(serverOf({ config: withFile() })).toEqual({
      host: "file.example",
      port: 1111,
      dbPath: "file.db",
    });
  });

  test("the STATUSBOX_* variables win over the file", () => {
    setVariables();
    expect(serverOf({ config: withFile() })).toEqual({
      host: "env.example",
      port: 2222,
      dbPath: "env.db",
    });
  });

  test("the flags win over the variables and the file", () => {
    setVariables();
    const flags = { host: "flag.example", port: "3333", db: "flag.db" };
    expect(serverOf({ config: withFile(), ...flags })).toEqual({
      host: "flag.example",
      port: 3333,
      dbPath: "flag.db",
    });
  });

  test("an empty variable counts as unset, so the file still applies", () => {
    process.env.STATUSBOX_HOST = "";
    process.env.STATUSBOX_PORT = "";
    expect(serverOf({ config: withFile() })).toMatchObject({ host: "file.example", port: 1111 });
  });
});

describe("every command that opens the database finds it as serve does", () => {
  test("keys and alerts log read [server] db of ./statusbox.toml; --db and STATUSBOX_DB win", async () => {
    writeFileSync(join(dir.path, "statusbox.toml"), '[server]\ndb = "data/jobs.db"\n');
    const run = (args: string[], env: Record<string, string> = {}) =>
      runStatusbox(args, { cwd: dir.path, env: { ...NO_VARIABLES, ...env } });

    const created = await run(["keys", "create", "--name", "from-file"]);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain(join(dir.path, "data", "jobs.db"));
    expect((await run(["keys", "list"])).stdout).toContain("from-file");
    expect(await run(["alerts", "log"])).toMatchObject({ code: 0, stderr: "" });

    const other = join(dir.path, "other.db");
    expect((await run(["keys", "list", "--db", other])).stdout).not.toContain("from-file");
    const fromEnv = await run(["keys", "list"], { STATUSBOX_DB: other });
    expect(fromEnv.stdout).not.toContain("from-file");
  });

  test("a mistake in that file stops them with exit 2, naming the key", async () => {
    writeFileSync(join(dir.path, "statusbox.toml"), "[server]\ndb = 5\n");
    const listed = await runStatusbox(["keys", "list"], { cwd: dir.path, env: NO_VARIABLES });
    expect(listed.code).toBe(2);
    expect(listed.stderr).toStartWith("statusbox keys list: ./statusbox.toml: server.db");
    expect(existsSync(join(dir.path, "statusbox.db"))).toBe(false);
  });
});
