import { afterEach, expect, test } from "bun:test";
import { join } from "node:path";
import { runStatusbox } from "./helpers/binary.ts";
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
