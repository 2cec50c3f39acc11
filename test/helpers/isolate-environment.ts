/**
 * Preloaded before every test file (bunfig.toml): the tests run, and start their daemons and
 * commands, in an empty folder of their own. A ./statusbox.toml in the checkout (where the
 * README puts one) would otherwise be read by every `serve` a test starts. (The STATUSBOX_*
 * settings of the engineer's shell are left out by `bun run test`: see scripts/test.ts.)
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

// Made absolute first: the tests resolve it after the change of folder below.
if (process.env.STATUSBOX_BIN) process.env.STATUSBOX_BIN = resolve(process.env.STATUSBOX_BIN);
const folder = mkdtempSync(join(tmpdir(), "statusbox-tests-cwd-"));
process.chdir(folder);
process.on("exit", () => rmSync(folder, { recursive: true, force: true }));
