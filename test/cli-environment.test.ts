import { afterAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { statusboxCommand } from "./helpers/binary.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const dir = makeTempDir();
afterAll(() => dir.cleanup());
const db = join(dir.path, "statusbox.db");

/** `statusbox ARGS` with variables set; killed after 10 s should one get as far as serving. */
async function withEnv(env: Record<string, string>, args: string[]) {
  const proc = Bun.spawn([...statusboxCommand(), ...args], {
    env: { ...process.env, ...env },
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

describe("a bad STATUSBOX_* variable is blamed on the variable, not on a flag", () => {
  const serveCases: [string, string, string][] = [
    ["STATUSBOX_PORT", "abc", "STATUSBOX_PORT must be a whole number from 0 to 65535, not 'abc'"],
    [
      "STATUSBOX_HOST",
      "not a host",
      'STATUSBOX_HOST must be a host name or IP address, not "not a host"',
    ],
    ["STATUSBOX_DURABILITY", "fast", "STATUSBOX_DURABILITY must be 'full' or 'normal', not 'fast'"],
    ["STATUSBOX_LOG_FORMAT", "xml", "STATUSBOX_LOG_FORMAT must be one of text, json, not 'xml'"],
    ["STATUSBOX_LOG_LEVEL", "loud", "STATUSBOX_LOG_LEVEL must be one of debug, info, warn, error"],
    ["STATUSBOX_LOG_REQUESTS", "maybe", "STATUSBOX_LOG_REQUESTS must be true or false"],
    [
      "STATUSBOX_METRICS_OPEN_ON_LOOPBACK",
      "2",
      "STATUSBOX_METRICS_OPEN_ON_LOOPBACK must be true or false",
    ],
    [
      "STATUSBOX_RETENTION_DAYS",
      "soon",
      "STATUSBOX_RETENTION_DAYS must be a number greater than 0",
    ],
    [
      "STATUSBOX_MAX_EVENTS_PER_RUN",
      "0",
      "STATUSBOX_MAX_EVENTS_PER_RUN must be a whole number greater than 0",
    ],
  ];

  for (const [name, value, message] of serveCases) {
    test(`serve with ${name}=${value}`, async () => {
      const port = name === "STATUSBOX_PORT" ? [] : ["--port", "0"];
      const result = await withEnv({ [name]: value }, ["serve", ...port, "--db", db]);
      expect(result.code).toBe(2);
      const first = result.stderr.split("\n")[0]!;
      expect(first).toStartWith(`statusbox serve: ${message}`);
      expect(first).not.toContain("--");
    });
  }

  test("a flag's bad value is still blamed on the flag", async () => {
    const result = await withEnv({ STATUSBOX_PORT: "8080" }, [
      "serve",
      "--port",
      "abc",
      "--db",
      db,
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--port must be a whole number from 0 to 65535, not 'abc'");
  });

  test("STATUSBOX_URL that is not http(s)", async () => {
    const result = await withEnv({ STATUSBOX_URL: "ftp://example.com" }, [
      "job",
      "start",
      "--name",
      "n",
      "--timeout",
      "5",
    ]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      "STATUSBOX_URL must be an http:// or https:// URL, not 'ftp://example.com'",
    );
  });

  test("STATUSBOX_CONFIG naming a file that is not there", async () => {
    const missing = join(dir.path, "nope.toml");
    for (const args of [
      ["serve", "--db", db],
      ["prune", "--db", db],
      ["config", "check"],
    ]) {
      const result = await withEnv({ STATUSBOX_CONFIG: missing }, args);
      expect(result.code).toBeGreaterThan(0);
      expect(result.stderr).toContain(`${missing}: cannot read the file (ENOENT)`);
      expect(result.stderr).toContain("the path comes from STATUSBOX_CONFIG");
    }
  });

  test("STATUSBOX_DB naming a folder", async () => {
    const result = await withEnv({ STATUSBOX_DB: dir.path }, ["keys", "list"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `statusbox: cannot open database ${dir.path}: that path is a folder ` +
        "(the path comes from STATUSBOX_DB)\n",
    );
  });
});
