import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { alertKit } from "./helpers/alerts-kit.ts";
import { runStatusbox } from "./helpers/binary.ts";
import { closedPort, startReceiver } from "./helpers/http-receiver.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const iso = (ms: number) => new Date(ms).toISOString();

function writeConfig(dir: string, text: string): string {
  const path = join(dir, "statusbox.toml");
  writeFileSync(path, text);
  return path;
}

describe("statusbox alerts test", () => {
  test("sends a test alert on every channel and prints each outcome", async () => {
    const dir = makeTempDir();
    const receiver = startReceiver();
    const config = writeConfig(
      dir.path,
      `[[alerts]]
name = "ops"
type = "webhook"
url = "${receiver.url}/hook"

[[alerts]]
name = "chat"
type = "slack"
url = "${receiver.url}/slack"
`,
    );
    try {
      const result = await runStatusbox(["alerts", "test", "--config", config]);
      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^ops \(webhook\): delivered, status 200, \d+ms\n/);
      expect(result.stdout).toMatch(/chat \(slack\): delivered, status 200, \d+ms\n$/);

      const hook = receiver.requests.find((r) => r.path === "/hook")!;
      expect(JSON.parse(hook.body)).toMatchObject({
        trigger: "test",
        test: true,
        channel: "ops",
        run: { name: "statusbox-test" },
      });
      const slack = receiver.requests.find((r) => r.path === "/slack")!;
      expect(JSON.parse(slack.body).text).toContain("test alert from StatusBox for channel 'chat'");
    } finally {
      await receiver.stop();
      dir.cleanup();
    }
  });

  test("--channel tests one channel; a failing one is reported with exit 1", async () => {
    const dir = makeTempDir();
    const receiver = startReceiver();
    receiver.answer(() => ({ status: 403, body: "invalid_token" }));
    const down = await closedPort();
    const config = writeConfig(
      dir.path,
      `[[alerts]]
name = "refused"
type = "slack"
url = "${receiver.url}/secret-token-path"

[[alerts]]
name = "down"
type = "webhook"
url = "http://127.0.0.1:${down}/"
`,
    );
    try {
      const refused = await runStatusbox(["alerts", "test", "--channel", "refused"], {
        env: { STATUSBOX_CONFIG: config },
      });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(
        /^refused \(slack\): permanent failure, status 403, \d+ms: HTTP 403: invalid_token\n$/,
      );
      expect(receiver.requests.length).toBe(1);

      const unreachable = await runStatusbox([
        "alerts",
        "test",
        "--channel",
        "down",
        "--config",
        config,
      ]);
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toStartWith("down (webhook): failed, ");
    } finally {
      await receiver.stop();
      dir.cleanup();
    }
  });

  test("a command channel's outcome names its exit code, not a status", async () => {
    const dir = makeTempDir();
    const config = writeConfig(
      dir.path,
      `[[alerts]]
name = "pager"
type = "command"
command = ["/bin/sh", "-c", "cat > /dev/null"]

[[alerts]]
name = "broken"
type = "command"
command = ["/bin/sh", "-c", "cat > /dev/null; exit 3"]
`,
    );
    try {
      const result = await runStatusbox(["alerts", "test", "--config", config]);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/^pager \(command\): delivered, exit 0, \d+ms\n$/);
      expect(result.stderr).toMatch(
        /^broken \(command\): failed, exit 3, \d+ms: exited with code 3/,
      );
    } finally {
      dir.cleanup();
    }
  });

  test("a receiver that is down is reported with its reason once", async () => {
    const dir = makeTempDir();
    const down = await closedPort();
    const config = writeConfig(
      dir.path,
      `[[alerts]]\nname = "down"\ntype = "webhook"\nurl = "http://127.0.0.1:${down}/"\n`,
    );
    try {
      const result = await runStatusbox(["alerts", "test", "--config", config]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/^down \(webhook\): failed, \d+ms: ECONNREFUSED: [^\n]+\n$/);
      expect(result.stderr.split("ECONNREFUSED").length - 1).toBe(1);
    } finally {
      dir.cleanup();
    }
  });

  test("an unknown channel, no channels, or a bad file are explained, exit 1", async () => {
    const dir = makeTempDir();
    try {
      const config = writeConfig(
        dir.path,
        `[[alerts]]\nname = "ops"\ntype = "webhook"\nurl = "http://127.0.0.1:9/"\n`,
      );
      const unknown = await runStatusbox([
        "alerts",
        "test",
        "--channel",
        "nope",
        "--config",
        config,
      ]);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain("has no channel named 'nope' (channels: ops)");

      const empty = writeConfig(dir.path, "[server]\nport = 8080\n");
      const none = await runStatusbox(["alerts", "test", "--config", empty]);
      expect(none.code).toBe(1);
      expect(none.stderr).toContain("has no [[alerts]] channels");

      const bad = writeConfig(dir.path, `[[alerts]]\nname = "ops"\ntype = "webhook"\n`);
      const invalid = await runStatusbox(["alerts", "test", "--config", bad]);
      expect(invalid.code).toBe(1);
      expect(invalid.stderr).toContain("alerts[0].url is required");
    } finally {
      dir.cleanup();
    }
  });
});

describe("statusbox alerts log", () => {
  test("lists recent attempts newest first, with outcome, status, duration and error", async () => {
    const receiver = startReceiver();
    let calls = 0;
    receiver.answer(() => (++calls === 1 ? { status: 500, body: "try later" } : { status: 200 }));
    const kit = alertKit([{ name: "ops", type: "webhook", url: receiver.url }]);
    try {
      await kit.finish("backup-db", "fail");
      await kit.dispatcher.step();
      const waiting = await runStatusbox(["alerts", "log", "--db", kit.dbPath]);
      expect(waiting.code).toBe(0);
      const [header, row, ...rest] = waiting.stdout.trimEnd().split("\n");
      expect(header).toMatch(/^TIME +CHANNEL +RUN +TRIGGER +OUTCOME +STATUS +DURATION +ERROR$/);
      expect(row).toMatch(
        /^\S+Z +ops +backup-db #1 +failed +failed, will retry +500 +\d+ms +HTTP 500: try later$/,
      );
      expect(rest).toEqual([
        `1 alert(s) waiting for delivery; next attempt at ${iso(kit.clock.now() + 1000)}`,
      ]);

      kit.clock.advance(1000);
      await kit.dispatcher.step();
      const done = await runStatusbox(["alerts", "log", "--db", kit.dbPath]);
      const lines = done.stdout.trimEnd().split("\n");
      expect(lines.length).toBe(3);
      expect(lines[1]).toMatch(/ ops +backup-db #1 +failed +delivered +200 /);
      // The README's sample: the attempt before the delivery reads as retried, not as final.
      expect(lines[2]).toMatch(/ ops +backup-db #1 +failed +failed, retried +500 /);
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("--channel shows that channel's attempts and counts only its waiting alerts", async () => {
    const receiver = startReceiver();
    receiver.answer(() => ({ status: 500, body: "down" }));
    const kit = alertKit([
      { name: "ops", type: "webhook", url: `${receiver.url}/ops` },
      { name: "pager", type: "webhook", url: `${receiver.url}/pager` },
    ]);
    try {
      await kit.finish("backup-db", "fail");
      await kit.dispatcher.step();
      const all = await runStatusbox(["alerts", "log", "--db", kit.dbPath]);
      expect(all.stdout).toContain("2 alert(s) waiting for delivery");
      const one = await runStatusbox(["alerts", "log", "--db", kit.dbPath, "--channel", "ops"]);
      const lines = one.stdout.trimEnd().split("\n");
      expect(lines.slice(1, -1).every((line) => / ops +backup-db/.test(line))).toBe(true);
      expect(lines.at(-1)).toStartWith("1 alert(s) waiting for delivery");
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("says so when nothing was attempted, and refuses a bad --limit", async () => {
    const dir = makeTempDir();
    try {
      const db = join(dir.path, "empty.db");
      expect((await runStatusbox(["keys", "create", "--db", db])).code).toBe(0);
      const empty = await runStatusbox(["alerts", "log", "--db", db]);
      expect(empty).toMatchObject({ code: 0, stdout: "No delivery attempts yet.\n" });

      const bad = await runStatusbox(["alerts", "log", "--db", db, "--limit", "0"]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toContain("--limit must be a whole number from 1 to 1000");
    } finally {
      dir.cleanup();
    }
  });

  test("both commands have --help and are listed by statusbox --help", async () => {
    const overview = await runStatusbox(["--help"]);
    for (const command of ["alerts test", "alerts log"]) {
      expect(overview.stdout).toContain(command);
      const help = await runStatusbox([...command.split(" "), "--help"]);
      expect(help.code).toBe(0);
      expect(help.stdout).toStartWith(`Usage: statusbox ${command}`);
    }
  });
});
