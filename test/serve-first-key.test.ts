import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { runStatusbox, statusboxCommand } from "./helpers/binary.ts";
import { spawnDaemon } from "./helpers/process-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const cleanups: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

test("a start that cannot listen prints no key and leaves none for the next start", async () => {
  const dir = makeTempDir();
  cleanups.push(dir.cleanup);
  const taken = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("busy") });
  cleanups.push(() => taken.stop(true));
  const db = join(dir.path, "new.db");

  const failed = await runStatusbox(["serve", "--port", String(taken.port), "--db", db]);
  expect(failed.code).toBe(1);
  expect(failed.stderr).toContain(`port ${taken.port} in use`);
  expect(failed.stdout).toBe("");
  expect(failed.stderr).not.toContain("sbx_");

  const good = await spawnDaemon(db);
  cleanups.push(async () => void (await good.stop()));
  expect(good.firstKey).toMatch(/^sbx_/);
  const answer = await fetch(`${good.url}/api/jobs`, {
    headers: { authorization: `ApiKey ${good.firstKey}` },
  });
  expect(answer.status).toBe(200);
});

/** `serve` with stdout redirected by the shell; stopped once its ready line is logged. */
async function serveWithStdout(db: string, redirect: string): Promise<string> {
  const command = [...statusboxCommand(), "serve", "--port", "0", "--db", db]
    .map((word) => `'${word}'`)
    .join(" ");
  const proc = Bun.spawn(["bash", "-c", `exec ${command} ${redirect}`], {
    stdout: "ignore",
    stderr: "pipe",
  });
  let log = "";
  const reader = (async () => {
    for await (const chunk of proc.stderr) log += new TextDecoder().decode(chunk);
  })();
  const deadline = Date.now() + 10_000;
  while (!log.includes("statusbox ready") && Date.now() < deadline && proc.exitCode === null) {
    await Bun.sleep(20);
  }
  proc.kill("SIGTERM");
  expect(await proc.exited).toBe(0);
  await reader;
  return log;
}

for (const [where, redirect, reason] of [
  ["/dev/null", "> /dev/null", "standard output is /dev/null"],
  ["a closed stdout", ">&-", "standard output is /dev/null"],
  ["a full disk", "> /dev/full", "standard output refused it (ENOSPC)"],
] as const) {
  test(`a first key that would go to ${where} is not kept, and the next start prints one`, async () => {
    const dir = makeTempDir();
    cleanups.push(dir.cleanup);
    const db = join(dir.path, "new.db");

    const log = await serveWithStdout(db, redirect);
    expect(log).toContain("WARN  the first API key could not be shown, so none was kept");
    expect(log).toContain(`reason="${reason}"`);
    expect(log).not.toContain("sbx_");

    const good = await spawnDaemon(db);
    cleanups.push(async () => void (await good.stop()));
    expect(good.firstKey).toMatch(/^sbx_/);
  });
}
