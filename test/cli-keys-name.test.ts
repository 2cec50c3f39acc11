import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../src/cli/main.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const dir = makeTempDir();
afterAll(() => dir.cleanup());

async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { code, stdout, stderr };
}

describe("keys create --name", () => {
  const refused: [string, string, string][] = [
    ["empty", "", "--name must not be empty"],
    ["10,000 characters", "a".repeat(10_000), "--name must be at most 64 characters"],
    ["65 characters", "a".repeat(65), "--name must be at most 64 characters"],
    ["an escape sequence", "ops\x1b[2J", "--name must not contain control characters"],
    ["a line break", "ops\nroot", "--name must not contain control characters"],
    ["a tab", "ops\tteam", "--name must not contain control characters"],
  ];

  for (const [what, name, message] of refused) {
    test(`${what} is a usage error (exit 2) and creates nothing`, async () => {
      const db = join(dir.path, `refused-${refused.findIndex((r) => r[0] === what)}.db`);
      const result = await cli("keys", "create", "--name", name, "--db", db);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr.split("\n")[0]).toBe(`statusbox keys create: ${message}`);
      expect(existsSync(db)).toBe(false);
    });
  }

  test("64 characters of any script, with spaces, are a name; none gives 'unnamed'", async () => {
    const db = join(dir.path, "named.db");
    const long = "é".repeat(64);
    expect((await cli("keys", "create", "--name", long, "--db", db)).code).toBe(0);
    expect((await cli("keys", "create", "--name", "backup host", "--db", db)).code).toBe(0);
    expect((await cli("keys", "create", "--db", db)).code).toBe(0);
    const list = (await cli("keys", "list", "--db", db)).stdout;
    for (const name of [long, "backup host", "unnamed"]) expect(list).toContain(name);
  });
});
