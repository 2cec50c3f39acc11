import { afterAll, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { configSchema, loadConfigFile } from "../src/config/config-file.ts";
import { REPO_ROOT, runStatusbox } from "./helpers/binary.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const dir = makeTempDir();
afterAll(() => dir.cleanup());

/** The README's `## Configuration` section, up to the next section of the same level. */
function configurationSection(): string {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Configuration\n");
  expect(start).toBeGreaterThan(0);
  return readme.slice(start, readme.indexOf("\n## ", start + 1));
}

/** Every key the config file accepts, as the README names them: `[server] port`, `[[alerts]]`. */
function schemaKeys(): string[] {
  return Object.entries(configSchema.shape).flatMap(([section, schema]) => {
    const inner = schema.unwrap() as { shape?: Record<string, unknown> };
    if (inner.shape === undefined) return [`[[${section}]]`];
    return Object.keys(inner.shape).map((key) => `[${section}] ${key}`);
  });
}

test("the Configuration table lists every key of the config file, and no other", () => {
  const rows = [...configurationSection().matchAll(/^\| `(\[[^`]+)` \|/gm)].map((m) => m[1]);
  expect(rows.sort()).toEqual(schemaKeys().sort());
});

test("its sample file is valid and holds every [section] key", () => {
  const block = /```toml\n([\s\S]*?)```/.exec(configurationSection())![1]!;
  const path = join(dir.path, "sample.toml");
  writeFileSync(path, block);
  const config = loadConfigFile(path);
  const keys = Object.entries(config).flatMap(([section, values]) =>
    Object.keys(values as object).map((key) => `[${section}] ${key}`),
  );
  expect(keys.sort()).toEqual(
    schemaKeys()
      .filter((key) => !key.startsWith("[["))
      .sort(),
  );
});

test("a bad value in the file: config check says so with exit 1, serve stops with exit 2", async () => {
  for (const [name, text, sentence] of [
    ["zod.toml", "[server]\nport = 70000\n", "server.port must be from 0 to 65535"],
    ["host.toml", '[server]\nhost = "a b"\n', "server.host must be a host name or IP address"],
  ]) {
    const path = join(dir.path, name!);
    writeFileSync(path, text!);
    const check = await runStatusbox(["config", "check", "--config", path]);
    expect({ name, code: check.code }).toEqual({ name, code: 1 });
    expect(check.stderr).toStartWith("statusbox config check: ");
    expect(check.stderr).toContain(sentence!);
    expect(check.stderr).not.toContain("Usage:");

    const serve = await runStatusbox(["serve", "--config", path, "--db", join(dir.path, "x.db")]);
    expect({ name, code: serve.code }).toEqual({ name, code: 2 });
    expect(serve.stderr).toContain(sentence!);
  }
});
