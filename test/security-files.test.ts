import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, statSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { join } from "node:path";
import { runStatusbox } from "./helpers/binary.ts";
import { spawnCapturedDaemon } from "./helpers/captured-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

const dir = makeTempDir();
afterAll(() => dir.cleanup());

const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);
const WARNING = "serving on a non-loopback address with no active API key";

/** A database whose only key is revoked: no active key at all. */
async function databaseWithoutActiveKey(name: string): Promise<string> {
  const dbPath = join(dir.path, name);
  expect((await runStatusbox(["keys", "create", "--db", dbPath])).code).toBe(0);
  expect((await runStatusbox(["keys", "revoke", "1", "--db", dbPath])).code).toBe(0);
  return dbPath;
}

describe("files and addresses", () => {
  test("database, WAL and shm are 0600, a new folder 0700, even under umask 000", async () => {
    const dbPath = join(dir.path, "fresh", "nested", "statusbox.db");
    const permissive = ["sh", "-c", 'umask 000; exec "$@"', "sh"];
    const daemon = await spawnCapturedDaemon(dbPath, { prefix: permissive });
    const key = await waitFor(() => /^(sbx_\S+)$/m.exec(daemon.stdout())?.[1]);
    const created = await fetch(`${daemon.url}/api/jobs/`, {
      method: "POST",
      headers: { authorization: `ApiKey ${key}` },
      body: JSON.stringify({ name: "private", timeoutSeconds: 60 }),
    });
    expect(created.status).toBe(200);

    for (const suffix of ["", "-wal", "-shm"]) {
      expect(existsSync(dbPath + suffix)).toBe(true);
      expect({ file: `statusbox.db${suffix}`, mode: mode(dbPath + suffix) }).toEqual({
        file: `statusbox.db${suffix}`,
        mode: "600",
      });
    }
    expect(mode(join(dir.path, "fresh", "nested"))).toBe("700");
    expect(mode(join(dir.path, "fresh"))).toBe("700");
    expect(await daemon.stop()).toBe(0);
  });

  test("by default it listens on loopback only", async () => {
    const daemon = await spawnCapturedDaemon(join(dir.path, "default.db"));
    const { hostname, port } = new URL(daemon.url);
    expect(hostname).toBe("127.0.0.1");
    expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);

    const outside = Object.values(networkInterfaces())
      .flat()
      .find((address) => address && address.family === "IPv4" && !address.internal);
    if (outside) {
      // The same port on this machine's other address refuses the connection.
      await expect(fetch(`http://${outside.address}:${port}/healthz`)).rejects.toThrow();
    }
    expect(await daemon.stop()).toBe(0);
  });

  test("serving on another address with no active key logs a warning", async () => {
    const dbPath = await databaseWithoutActiveKey("keyless.db");
    const open = await spawnCapturedDaemon(dbPath, { args: ["--host", "0.0.0.0"] });
    expect(await open.stop()).toBe(0);
    expect(open.stderr()).toContain(`WARN  ${WARNING}`);
    expect(open.stderr()).toContain("host=0.0.0.0");
  });

  test("no warning on loopback without a key, nor on another address with one", async () => {
    const keyless = await spawnCapturedDaemon(await databaseWithoutActiveKey("loopback.db"));
    expect(await keyless.stop()).toBe(0);
    expect(keyless.stderr()).not.toContain(WARNING);

    const keyed = await spawnCapturedDaemon(join(dir.path, "keyed.db"), {
      args: ["--host", "0.0.0.0"],
    });
    expect(await keyed.stop()).toBe(0);
    expect(keyed.stdout()).toMatch(/^sbx_/m);
    expect(keyed.stderr()).not.toContain(WARNING);
  });
});
