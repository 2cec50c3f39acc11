import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runStatusbox } from "./helpers/binary.ts";
import { startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";

let daemon: TestDaemon;
let env: Record<string, string>;
beforeAll(async () => {
  daemon = await startTestDaemon();
  env = { STATUSBOX_URL: daemon.url, STATUSBOX_API_KEY: daemon.key };
});
afterAll(() => daemon.close());

const sb = (args: string[], extra: Record<string, string> = {}) =>
  runStatusbox(args, { env: { ...env, ...extra } });

describe("statusbox schedules", () => {
  test("set creates a cron schedule and prints it with its next expected time", async () => {
    const result = await sb([
      "schedules",
      "set",
      "nightly backup",
      "--cron",
      "0 3 * * *",
      "--tz",
      "Europe/Berlin",
      "--grace",
      "15m",
    ]);
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        String.raw`^nightly backup: cron 0 3 \* \* \* \(Europe/Berlin\), grace 15m\n` +
          String.raw`next expected at \S+Z, missed after \S+Z\n$`,
      ),
    );
    const stored = await (await daemon.request("/api/schedules/nightly%20backup")).json();
    expect(stored.schedule).toMatchObject({ cron: "0 3 * * *", tz: "Europe/Berlin", grace: "15m" });
  });

  test("set with --every, given --url and --key instead of the environment", async () => {
    const result = await runStatusbox([
      "schedules",
      "set",
      "sync",
      "--every",
      "1h30m",
      "--url",
      daemon.url,
      "--key",
      daemon.key,
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toStartWith("sync: every 1h30m, grace 5m\n");
  });

  test("list prints a table, and --json the API's answer", async () => {
    const table = await sb(["schedules", "list"]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^NAME\s+EXPECTED\s+GRACE\s+NEXT\s+SOURCE$/);
    expect(lines[1]).toMatch(
      /^nightly backup\s+cron 0 3 \* \* \* \(Europe\/Berlin\)\s+15m\s+\S+Z\s+api$/,
    );
    expect(lines[2]).toMatch(/^sync\s+every 1h30m\s+5m\s+\S+Z\s+api$/);

    const json = await sb(["schedules", "list", "--json"]);
    const parsed = JSON.parse(json.stdout);
    expect(parsed.schedules.map((s: { name: string }) => s.name)).toEqual([
      "nightly backup",
      "sync",
    ]);
  });

  test("delete removes a schedule; deleting it again is the daemon's 404, exit 1", async () => {
    const removed = await sb(["schedules", "delete", "sync"]);
    expect(removed).toMatchObject({ code: 0, stdout: "Removed the schedule of sync.\n" });
    const again = await sb(["schedules", "delete", "sync"]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      "statusbox schedules delete: no schedule for the job name 'sync' (HTTP 404)\n",
    );
  });

  test("the daemon's refusal of a bad schedule is printed with exit 1", async () => {
    const result = await sb(["schedules", "set", "x", "--cron", "61 * * * *"]);
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith(
      "statusbox schedules set: cron is not a valid cron expression",
    );
  });

  test("bad arguments print the usage with exit 2", async () => {
    for (const args of [
      ["schedules", "set", "x"],
      ["schedules", "set", "x", "--cron", "* * * * *", "--every", "1h"],
      ["schedules", "set", "x", "--every", "1h", "--tz", "UTC"],
      ["schedules", "set"],
      ["schedules", "delete"],
      ["schedules", "list", "--bogus"],
    ]) {
      const result = await sb(args);
      expect(result.code, args.join(" ")).toBe(2);
      expect(result.stderr).toContain("Usage: statusbox schedules");
    }
  });

  test("a read-only key may list but not set or delete", async () => {
    const reader = daemon.keys.create("reader", "read").secret;
    expect((await sb(["schedules", "list"], { STATUSBOX_API_KEY: reader })).code).toBe(0);
    const refused = await sb(["schedules", "set", "y", "--every", "1h"], {
      STATUSBOX_API_KEY: reader,
    });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("this API key is read-only (HTTP 403)");
  });

  test("an unreachable daemon is exit 1 with a sentence", async () => {
    const result = await sb(["schedules", "list"], { STATUSBOX_URL: "http://127.0.0.1:9" });
    expect(result.code).toBe(1);
    expect(result.stderr).toStartWith("statusbox schedules list: ");
  });

  test("every schedules command has --help", async () => {
    for (const word of ["list", "set", "delete"]) {
      const result = await sb(["schedules", word, "--help"]);
      expect(result.code).toBe(0);
      expect(result.stdout).toStartWith(`Usage: statusbox schedules ${word}`);
    }
  });
});
