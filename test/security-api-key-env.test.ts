import { Database } from "bun:sqlite";
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { apiKeyProblem } from "../src/config/api-key.ts";
import { generateSecret } from "../src/auth/secrets.ts";
import { statusboxCommand } from "./helpers/binary.ts";
import { spawnDaemon } from "./helpers/process-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const dir = makeTempDir();
afterAll(() => dir.cleanup());

/** `statusbox serve` with STATUSBOX_API_KEY set; killed after 10 s should it start. */
async function serveWithKey(key: string, db: string) {
  const proc = Bun.spawn([...statusboxCommand(), "serve", "--port", "0", "--db", db], {
    env: { ...process.env, STATUSBOX_API_KEY: key },
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

const WEAK = {
  "too short": "abc",
  "15 characters": "sbx_12345678901",
  "a space": "sbx_operator chosen secret",
  "a tab": "sbx_operator\tchosen_secret",
  "a control character": "sbx_operator\x01chosen_secret",
  "an escape sequence": "sbx_operator_\x1b[2Jchosen",
  "a non-ASCII letter": "sbx_opérateur_chosen_secret",
  "too long": `sbx_${"a".repeat(1021)}`,
};

describe("STATUSBOX_API_KEY given to serve", () => {
  test("a weak or unsendable secret stops serve at start-up, exit 1, nothing stored", async () => {
    for (const [what, key] of Object.entries(WEAK)) {
      const db = join(dir.path, `${what.replaceAll(" ", "-")}.db`);
      const result = await serveWithKey(key, db);
      expect(result.code, what).toBe(1);
      expect(result.stdout).toBe("");
      expect(result.stderr.trimEnd().split("\n")).toHaveLength(1);
      expect(result.stderr).toStartWith(
        "statusbox serve: STATUSBOX_API_KEY must be 16 to 1024 printable ASCII characters " +
          "with no spaces or control characters",
      );
      expect(result.stderr).not.toContain(key);
      expect(existsSync(db)).toBe(false);
    }
  });

  test("the keys tests, the smoke test and the README use are accepted", () => {
    for (const key of [
      generateSecret(),
      "sbx_operator_chosen_secret",
      "sbx_alerts_kill_test_key",
      "sbx_wrapper_daemon_down_test_key",
      "0123456789abcdef",
    ]) {
      expect(apiKeyProblem(key)).toBeNull();
    }
  });

  test("a good secret is ensured as a write key", async () => {
    const db = join(dir.path, "good.db");
    const proc = Bun.spawn([...statusboxCommand(), "serve", "--port", "0", "--db", db], {
      env: { ...process.env, STATUSBOX_API_KEY: "sbx_operator_chosen_secret" },
      stdout: "pipe",
      stderr: "pipe",
    });
    try {
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline) {
        const stored = existsSync(db) ? countKeys(db) : 0;
        if (stored > 0) break;
        await Bun.sleep(50);
      }
      expect(countKeys(db)).toBeGreaterThan(0);
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
    }
  });

  test("a revoked key stays revoked on the next start, and the log says so", async () => {
    const db = join(dir.path, "revoked.db");
    const env = { STATUSBOX_API_KEY: "sbx_operator_revoked_secret" };
    const first = await spawnDaemon(db, { env });
    await first.stop();
    const revoke = Bun.spawnSync([...statusboxCommand(), "keys", "revoke", "1", "--db", db]);
    expect(revoke.exitCode).toBe(0);

    const again = await spawnDaemon(db, { env });
    try {
      const warning = again.log().split("\n").find((line) => line.includes("revoked key"));
      expect(warning).toMatch(/ WARN +STATUSBOX_API_KEY is a revoked key and stays revoked/);
      expect(warning).toContain("key_id=1");
      expect(again.log()).not.toContain(env.STATUSBOX_API_KEY);
      const response = await fetch(`${again.url}/api/jobs`, {
        headers: { authorization: `ApiKey ${env.STATUSBOX_API_KEY}` },
      });
      expect(response.status).toBe(401);
    } finally {
      await again.stop();
    }
  });
});

function countKeys(path: string): number {
  const db = new Database(path, { readonly: true });
  try {
    return db
      .query<{ n: number }, []>(
        "SELECT count(*) AS n FROM api_keys WHERE name = 'STATUSBOX_API_KEY'",
      )
      .get()!.n;
  } catch {
    return 0;
  } finally {
    db.close();
  }
}
