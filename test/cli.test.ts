import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { join } from "node:path";
import { MIGRATIONS, SCHEMA_VERSION } from "../src/storage/migrations.ts";
import { runStatusbox } from "./helpers/binary.ts";
import { spawnDaemon } from "./helpers/process-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

describe("the command line", () => {
  test("--version prints the version", async () => {
    const result = await runStatusbox(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^statusbox \d+\.\d+\.\d+/);

    const extra = await runStatusbox(["--version", "--bogus"]);
    expect(extra.code).toBe(2);
    expect(extra.stdout).toBe("");
    expect(extra.stderr).toContain("--version takes nothing after it, not '--bogus'");
  });

  test("--help lists the commands; every command has its own --help", async () => {
    const result = await runStatusbox(["--help"]);
    expect(result.code).toBe(0);
    for (const command of ["serve", "keys create", "keys list", "keys revoke"]) {
      expect(result.stdout).toContain(command);
      const own = await runStatusbox([...command.split(" "), "--help"]);
      expect(own.code).toBe(0);
      expect(own.stdout).toContain(`Usage: statusbox ${command}`);
    }
  });

  test("an unknown command prints usage to stderr and exits 2", async () => {
    const result = await runStatusbox(["frobnicate"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("unknown command");
    expect(result.stderr).toContain("Usage:");
  });

  test("an unknown flag prints the command's usage to stderr and exits 2", async () => {
    const result = await runStatusbox(["keys", "list", "--colour"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--colour");
    expect(result.stderr).toContain("Usage: statusbox keys list");
  });

  test("no command at all prints usage to stderr and exits 2", async () => {
    const result = await runStatusbox([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("Usage:");
  });
});

describe("keys", () => {
  test("create prints the secret alone on the last line; list never shows it", async () => {
    const dir = makeTempDir();
    const db = join(dir.path, "keys.db");
    try {
      const created = await runStatusbox(["keys", "create", "--name", "backup-host", "--db", db]);
      expect(created.code).toBe(0);
      const secret = created.stdout.trimEnd().split("\n").at(-1)!;
      expect(secret).toMatch(/^sbx_[A-Za-z0-9_-]{43}$/);

      const reader = await runStatusbox(["keys", "create", "--read-only", "--db", db]);
      expect(reader.stdout).toContain("read key");

      const list = await runStatusbox(["keys", "list", "--db", db]);
      expect(list.code).toBe(0);
      expect(list.stdout).toContain("backup-host");
      expect(list.stdout).toMatch(/1\s+backup-host\s+write/);
      expect(list.stdout).toMatch(/2\s+unnamed\s+read/);
      expect(list.stdout).not.toContain(secret);

      const revoked = await runStatusbox(["keys", "revoke", "1", "--db", db]);
      expect(revoked.code).toBe(0);
      expect((await runStatusbox(["keys", "list", "--db", db])).stdout).toMatch(
        /1\s+backup-host.*revoked/,
      );
      const again = await runStatusbox(["keys", "revoke", "1", "--db", db]);
      expect(again.code).toBe(1);
      expect(again.stderr).toContain("no active key with id 1");
      expect((await runStatusbox(["keys", "revoke", "x", "--db", db])).code).toBe(2);
    } finally {
      dir.cleanup();
    }
  });

  test("keys create makes the database and its folder, the file mode 0600", async () => {
    const dir = makeTempDir();
    const db = join(dir.path, "nested/deeper/sb.db");
    try {
      expect((await runStatusbox(["keys", "create", "--db", db])).code).toBe(0);
      expect(statSync(db).mode & 0o777).toBe(0o600);
    } finally {
      dir.cleanup();
    }
  });

  test("STATUSBOX_DB is used when --db is absent, and --db wins over it", async () => {
    const dir = makeTempDir();
    try {
      const fromEnv = join(dir.path, "env.db");
      const fromFlag = join(dir.path, "flag.db");
      await runStatusbox(["keys", "create", "--name", "e"], { env: { STATUSBOX_DB: fromEnv } });
      await runStatusbox(["keys", "create", "--name", "f", "--db", fromFlag], {
        env: { STATUSBOX_DB: fromEnv },
      });
      const envKeys = (await runStatusbox(["keys", "list"], { env: { STATUSBOX_DB: fromEnv } }))
        .stdout;
      expect(envKeys).toContain(" e ");
      expect(envKeys).not.toContain(" f ");
    } finally {
      dir.cleanup();
    }
  });

  test("an older database is brought up to date in place", async () => {
    const dir = makeTempDir();
    const path = join(dir.path, "old.db");
    try {
      // A StatusBox database as the first release left it: schema version 1.
      const old = new Database(path, { create: true });
      old.run(MIGRATIONS.find((m) => m.version === 1)!.sql);
      old.run("PRAGMA user_version = 1");
      old.close();
      expect((await runStatusbox(["keys", "list", "--db", path])).code).toBe(0);
      const upgraded = new Database(path);
      expect(
        (upgraded.query("PRAGMA user_version").get() as { user_version: number }).user_version,
      ).toBe(SCHEMA_VERSION);
      upgraded.close();
    } finally {
      dir.cleanup();
    }
  });
});

describe("serve", () => {
  test("prints the first key once, ensures STATUSBOX_API_KEY, stops on SIGTERM with 0", async () => {
    const dir = makeTempDir();
    const db = join(dir.path, "serve.db");
    try {
      const first = await spawnDaemon(db, {
        env: { STATUSBOX_API_KEY: "sbx_operator_chosen_secret" },
      });
      expect(first.firstKey).toBeNull(); // the operator's key exists, so none is created
      const response = await fetch(`${first.url}/api/jobs`, {
        headers: { authorization: "ApiKey sbx_operator_chosen_secret" },
      });
      expect(response.status).toBe(200);
      const started = Date.now();
      expect(await first.stop("SIGTERM")).toBe(0);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(first.log()).toContain("statusbox stopped");
      expect(first.log()).not.toContain("sbx_operator_chosen_secret");

      const fresh = await spawnDaemon(join(dir.path, "fresh.db"));
      expect(fresh.firstKey).toMatch(/^sbx_/);
      expect(fresh.log()).not.toContain(fresh.firstKey!);
      expect(await fresh.stop("SIGINT")).toBe(0);

      const again = await spawnDaemon(join(dir.path, "fresh.db"));
      expect(again.firstKey).toBeNull();
      await again.stop();
    } finally {
      dir.cleanup();
    }
  });

  test("a port in use: one line saying so, exit 1, nothing left running", async () => {
    const dir = makeTempDir();
    try {
      const first = await spawnDaemon(join(dir.path, "a.db"));
      const port = new URL(first.url).port;
      const started = Date.now();
      const second = await runStatusbox(["serve", "--port", port, "--db", join(dir.path, "b.db")]);
      expect(second.code).toBe(1);
      expect(second.stderr).toContain("could not start");
      expect(second.stderr).toContain(`port ${port} in use`);
      expect(Date.now() - started).toBeLessThan(5000);
      await first.stop();
    } finally {
      dir.cleanup();
    }
  });

  test("a host that is no address of this machine: one line naming it, exit 1", async () => {
    const dir = makeTempDir();
    try {
      for (const [host, why] of [
        ["999.1.1.1", "999.1.1.1 is not an IP address or known name"],
        ["10.255.255.254", "10.255.255.254 is not an address of this machine"],
      ]) {
        const db = join(dir.path, "host.db");
        const result = await runStatusbox(["serve", "--host", host!, "--port", "0", "--db", db]);
        expect(result.code).toBe(1);
        expect(result.stderr).toContain(`could not start`);
        expect(result.stderr).toContain(why!);
      }
    } finally {
      dir.cleanup();
    }
  });

  test("a bad flag value exits 2 with a message", async () => {
    const result = await runStatusbox(["serve", "--port", "99999"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--port must be a whole number from 0 to 65535");
  });
});
