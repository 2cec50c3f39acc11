import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAlertChannels } from "../src/alerts/config.ts";
import { parseDuration } from "../src/alerts/duration.ts";
import { ConfigError, loadConfigFile } from "../src/config/config-file.ts";
import { runStatusbox } from "./helpers/binary.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const webhook = { name: "ops", type: "webhook", url: "http://127.0.0.1:9/hook" };

describe("[[alerts]] channels", () => {
  test("a minimal channel gets the documented defaults", () => {
    expect(parseAlertChannels([webhook])).toEqual({
      channels: [
        {
          ...webhook,
          type: "webhook",
          on: ["failed", "timed_out"],
          jobs: null,
          threshold: 1,
          cooldown: null,
          secret: null,
          headers: {},
        },
      ],
    });
  });

  test("every channel type of the README example parses", () => {
    const result = parseAlertChannels([
      { ...webhook, secret: "s", on: ["failed", "recovered"], jobs: ["backup-*"], cooldown: "30m" },
      { name: "chat", type: "slack", url: "https://hooks.slack.com/services/T/B/x", threshold: 3 },
      { name: "dc", type: "discord", url: "https://discord.com/api/webhooks/1/x" },
      { name: "push", type: "ntfy", url: "https://ntfy.sh/ops", token: "tk_x", priority: "urgent" },
      {
        name: "mail",
        type: "email",
        host: "smtp.example.com",
        user: "u",
        password: "p",
        from: "StatusBox <statusbox@example.com>",
        to: "ops@example.com",
      },
      {
        name: "pager",
        type: "command",
        command: ["/usr/local/bin/page-me", "--urgent"],
        timeout: "10s",
      },
    ]);
    if (!("channels" in result)) throw new Error(result.error);
    const [hook, slack, , , mail, pager] = result.channels;
    expect(hook).toMatchObject({ cooldown: 30 * 60_000, jobs: ["backup-*"] });
    expect(slack).toMatchObject({ threshold: 3 });
    expect(mail).toMatchObject({
      tls: "starttls",
      tls_verify: true,
      port: null,
      to: ["ops@example.com"],
    });
    expect(pager).toMatchObject({ timeout: 10_000, env: {} });
  });

  const mistakes: [string, Record<string, unknown>[], string][] = [
    ["a URL that is not one", [{ ...webhook, url: "not a url" }], "alerts[0].url must be a URL"],
    [
      "an unknown trigger",
      [webhook, { ...webhook, name: "b", on: ["failure"] }],
      "alerts[1].on: unknown trigger 'failure'",
    ],
    ["a missing url", [{ name: "a", type: "slack" }], "alerts[0].url is required"],
    [
      "an unknown type",
      [{ name: "a", type: "pager" }],
      "alerts[0].type must be one of webhook, slack",
    ],
    ["a missing type", [{ name: "a" }], "alerts[0].type is required"],
    ["a missing name", [{ type: "slack", url: "http://x" }], "alerts[0].name is required"],
    [
      "a bad duration",
      [{ ...webhook, cooldown: "30 minutes" }],
      "alerts[0].cooldown must be a duration like 30s",
    ],
    [
      "a threshold of 0",
      [{ ...webhook, threshold: 0 }],
      "alerts[0].threshold must be from 1 to 100",
    ],
    [
      "an unknown key",
      [{ ...webhook, token: "x" }],
      "unknown key 'alerts[0].token' for a webhook channel",
    ],
    [
      "a bad address in a list",
      [{ name: "m", type: "email", host: "h", from: "a@b", to: ["x@y", "z"] }],
      "alerts[0].to[1] must be an email address",
    ],
    [
      "a user without a password",
      [{ name: "m", type: "email", host: "h", from: "a@b", to: "x@y", user: "u" }],
      "alerts[0].password is required when user is set",
    ],
    [
      "an empty command",
      [{ name: "c", type: "command", command: [] }],
      "alerts[0].command must name the program to run",
    ],
    [
      "a command given as a string",
      [{ name: "c", type: "command", command: "page-me --urgent" }],
      "alerts[0].command must be a list",
    ],
    [
      "a time limit over 10 minutes",
      [{ name: "c", type: "command", command: ["x"], timeout: "1h" }],
      "alerts[0].timeout must be at most 10m",
    ],
    [
      "an ftp URL",
      [{ name: "n", type: "ntfy", url: "ftp://x/y" }],
      "alerts[0].url must be an http:// or https:// URL",
    ],
    [
      "an empty jobs list",
      [{ ...webhook, jobs: [] }],
      "alerts[0].jobs must name at least one glob",
    ],
    [
      "two channels with one name",
      [webhook, webhook],
      "alerts[1].name 'ops' is already the name of alerts[0]",
    ],
    [
      "a header with a non-ASCII value",
      [{ ...webhook, headers: { "X-Team": "équipe" } }],
      "alerts[0].headers",
    ],
    // spawn refuses NUL in a program, an argument or an environment value: never delivered.
    [
      "NUL in an environment value",
      [{ name: "c", type: "command", command: ["/bin/true"], env: { A: "x\u0000y" } }],
      "alerts[0].env.A must not contain NUL",
    ],
    [
      "NUL in the program",
      [{ name: "c", type: "command", command: ["/bin/tr\u0000ue"] }],
      "alerts[0].command[0] must not contain NUL",
    ],
    [
      "NUL in an argument",
      [{ name: "c", type: "command", command: ["/bin/echo", "a\u0000b"] }],
      "alerts[0].command[1] must not contain NUL",
    ],
    // fetch refuses a header value with a line break or another control character.
    [
      "a line break in an ntfy token",
      [{ name: "n", type: "ntfy", url: "http://x/t", token: "a\nb" }],
      "alerts[0].token must be printable ASCII",
    ],
    [
      "NUL in an ntfy token",
      [{ name: "n", type: "ntfy", url: "http://x/t", token: "a\u0000b" }],
      "alerts[0].token must be printable ASCII",
    ],
    [
      "a carriage return in a header value",
      [{ ...webhook, headers: { Authorization: "Bearer a\r\nX-Evil: 1" } }],
      "alerts[0].headers.Authorization must be printable ASCII",
    ],
    [
      "NUL in a header value",
      [{ ...webhook, headers: { "X-Team": "a\u0000" } }],
      "alerts[0].headers.X-Team must be printable ASCII",
    ],
  ];
  test.each(mistakes)("refuses %s, naming the key", (_what, tables, message) => {
    const result = parseAlertChannels(tables);
    expect("error" in result && result.error).toStartWith(message);
  });

  test("alerts written as one table instead of [[alerts]] are refused", () => {
    expect(parseAlertChannels({ name: "a" })).toEqual({
      error: "alerts must be [[alerts]] tables",
    });
  });

  test("durations take s, m, h, d and ms, alone or in a row", () => {
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("5m")).toBe(300_000);
    expect(parseDuration("1h30m")).toBe(5_400_000);
    expect(parseDuration("1d")).toBe(86_400_000);
    expect(parseDuration("250ms")).toBe(250);
    for (const bad of ["", "30", "m", "1.5h", "1 h", "-1s", "1w"])
      expect(parseDuration(bad)).toBeNull();
  });
});

describe("a config file with a bad [[alerts]] table", () => {
  const badFile = `[server]
port = 8080

[[alerts]]
name = "ops"
type = "webhook"
url = "http://127.0.0.1:9999/hook"

[[alerts]]
name = "chat"
type = "slack"
url = "https://hooks.slack.com/services/x"
on = ["failure"]
`;

  test("loading it names the file, the key and what is wrong", () => {
    const dir = makeTempDir();
    try {
      const path = join(dir.path, "statusbox.toml");
      writeFileSync(path, badFile);
      expect(() => loadConfigFile(path)).toThrow(ConfigError);
      expect(() => loadConfigFile(path)).toThrow(
        `${path}: alerts[1].on: unknown trigger 'failure'`,
      );
    } finally {
      dir.cleanup();
    }
  });

  test("config check reports it and exits 1; serve refuses to start with exit 2", async () => {
    const dir = makeTempDir();
    try {
      const path = join(dir.path, "statusbox.toml");
      const noUrl = badFile.replace('"https://hooks.slack.com/services/x"', '"hooks"');
      writeFileSync(path, noUrl.replace('["failure"]', '["failed"]'));
      const check = await runStatusbox(["config", "check", "--config", path]);
      expect(check.code).toBe(1);
      expect(check.stderr).toContain("alerts[1].url must be a URL");

      const db = join(dir.path, "never.db");
      const serve = await runStatusbox(["serve", "--port", "0", "--db", db], {
        env: { STATUSBOX_CONFIG: path },
      });
      expect(serve.code).toBe(2);
      expect(serve.stderr).toContain("alerts[1].url must be a URL");
    } finally {
      dir.cleanup();
    }
  });

  test("config check accepts a good file with every channel type", async () => {
    const dir = makeTempDir();
    try {
      const path = join(dir.path, "statusbox.toml");
      writeFileSync(
        path,
        `${badFile.replace('on = ["failure"]', 'on = ["failed", "recovered"]\ncooldown = "30m"')}
[[alerts]]
name = "pager"
type = "command"
command = ["/usr/local/bin/page-me", "--urgent"]
`,
      );
      const check = await runStatusbox(["config", "check", "--config", path]);
      expect(check.stderr).toBe("");
      expect(check.code).toBe(0);
    } finally {
      dir.cleanup();
    }
  });
});
