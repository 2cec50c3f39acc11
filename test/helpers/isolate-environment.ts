/**
 * Preloaded before every test file (bunfig.toml): the tests run, and start their daemons and
 * commands, in an empty folder of their own, with none of the engineer's STATUSBOX_*
 * settings but STATUSBOX_BIN. A ./statusbox.toml in the checkout (where the README puts one)
 * or a STATUSBOX_CONFIG in the shell would otherwise be read by every `serve` a test starts.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// Made absolute first: the tests resolve it after the change of folder below.
if (process.env.STATUSBOX_BIN) process.env.STATUSBOX_BIN = resolve(process.env.STATUSBOX_BIN);
for (const name of Object.keys(process.env)) {
  if (name.startsWith("STATUSBOX_") && name !== "STATUSBOX_BIN") delete process.env[name];
}

const folder = mkdtempSync(join(tmpdir(), "statusbox-tests-cwd-"));
process.chdir(folder);
process.on("exit", () => rmSync(folder, { recursive: true, force: true }));
