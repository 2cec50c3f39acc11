import { describe, expect, test } from "bun:test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfigFile } from "../src/config/config-file.ts";
import { parseScheduleTables } from "../src/schedules/config.ts";
import { REPO_ROOT, runStatusbox } from "./helpers/binary.ts";
import { spawnDaemon } from "./helpers/process-daemon.ts";
import { scheduleKit } from "./helpers/schedule-kit.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

/** Writes `text` as a config file and answers what loading it says. */
function load(text: string): unknown {
  const dir = makeTempDir();
  const path = join(dir.path, "statusbox.toml");
  try {
    writeFileSync(path, text);
    return loadConfigFile(path).schedules;
  } catch (error) {
    return (error as Error).message.replace(`${path}: `, "");
  } finally {
    dir.cleanup();
  }
}

describe("[[schedules]] in the config file", () => {
  test("a cron and a period schedule parse, with the defaults filled in", () => {
    const schedules = load(`
[[schedules]]
name = "nightly-backup"
cron = "0 3 * * *"
tz = "Europe/Berlin"
grace = "15m"

[[schedules]]
name = "sync"
every = "1h"
`);
    expect(schedules).toEqual([
      {
        name: "nightly-backup",
        spec: { cron: "0 3 * * *", tz: "Europe/Berlin", everyMs: null, graceMs: 15 * 60_000 },
      },
      { name: "sync", spec: { cron: null, tz: null, everyMs: 3_600_000, graceMs: 5 * 60_000 } },
    ]);
  });

  const BAD: [string, unknown, string][] = [
    ["not tables", 3, "schedules must be [[schedules]] tables"],
    ["no name", [{ every: "1h" }], "schedules[0].name is required"],
    [
      "a blank name",
      [{ name: " ", every: "1h" }],
      "schedules[0].name must not be only white space",
    ],
    [
      "a bad cron",
      [{ name: "a", cron: "0 25 * * *" }],
      "schedules[0].cron is not a valid cron expression: Invalid value for hour: 25",
    ],
    [
      "a bad tz",
      [{ name: "a", cron: "0 3 * * *", tz: "Berlin" }],
      "schedules[0].tz must be an IANA time zone like Europe/Berlin, not 'Berlin'",
    ],
    [
      "a bad grace",
      [{ name: "a", every: "1h", grace: "soon" }],
      "schedules[0].grace must be a duration like 30s, 5m, 1h or 1d, not 'soon'",
    ],
    ["neither", [{ name: "a" }], "schedules[0].cron or every is required"],
    [
      "an unknown key",
      [{ name: "a", every: "1h", gracee: "1m" }],
      "unknown key 'schedules[0].gracee'",
    ],
    [
      "a name twice",
      [
        { name: "a", every: "1h" },
        { name: "a", every: "2h" },
      ],
      "schedules[1].name 'a' is already the name of schedules[0]",
    ],
  ];
  for (const [what, value, sentence] of BAD) {
    test(`${what}: the error names the key`, () => {
      expect(parseScheduleTables(value)).toEqual({ error: sentence });
    });
  }

  test("config check prints the mistake with the file and the key", async () => {
    const dir = makeTempDir();
    try {
      const path = join(dir.path, "statusbox.toml");
      writeFileSync(path, `[[schedules]]\nname = "backup"\ncron = "0 3 * *"\n`);
      const result = await runStatusbox(["config", "check", "--config", path]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`${path}: schedules[0].cron is not a valid cron expression`);
    } finally {
      dir.cleanup();
    }
  });
});

describe("schedules from the config file", () => {
  test("are applied at start, refused over the API, kept, changed, removed", async () => {
    const first = await scheduleKit({ declared: [{ name: "backup", every: "1h" }] });
    const dir = first.dir!;
    try {
      expect(first.service.get("backup")).toMatchObject({ source: "config", everyMs: 3_600_000 });
      await expect(first.set("backup", { every: "2h" })).rejects.toThrow(
        "the schedule of 'backup' is declared in the config file; change it there",
      );
      await expect(first.service.remove("backup")).rejects.toMatchObject({ status: 409 });
      await first.set("other", { every: "1h" });
      await first.stop();

      // Restarted with the same file: the window goes on, so the downtime is judged.
      first.clock.set(Date.parse("2026-01-01T03:00:00Z"));
      const same = await scheduleKit({
        dbPath: first.dbPath,
        clock: first.clock,
        declared: [{ name: "backup", every: "1h" }],
      });
      expect(same.missed("backup")[0]?.missedWindows).toBe(2);
      await same.stop();

      // Changed in the file: its windows start afresh; an API schedule becomes the file's.
      const changed = await scheduleKit({
        dbPath: first.dbPath,
        clock: first.clock,
        declared: [
          { name: "backup", every: "2h" },
          { name: "other", every: "1h" },
        ],
      });
      expect(changed.service.get("backup").window.expectedAt).toBe(
        Date.parse("2026-01-01T05:00:00Z"),
      );
      expect(changed.service.get("other").source).toBe("config");
      await changed.stop();

      // Left out of the file: removed, with its missed runs kept.
      const removed = await scheduleKit({ dbPath: first.dbPath, clock: first.clock });
      expect(removed.service.list()).toEqual([]);
      expect(removed.missed("backup")).toHaveLength(1);
      await removed.stop();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("statusbox serve --config serves them as source config", async () => {
    const dir = makeTempDir();
    try {
      const config = join(dir.path, "statusbox.toml");
      writeFileSync(
        config,
        `[[schedules]]\nname = "backup"\ncron = "0 3 * * *"\ntz = "Europe/Berlin"\n`,
      );
      const daemon = await spawnDaemon(join(dir.path, "s.db"), { args: ["--config", config] });
      try {
        const response = await fetch(`${daemon.url}/api/schedules`, {
          headers: { authorization: `ApiKey ${daemon.firstKey}` },
        });
        const body = await response.json();
        expect(body.schedules).toMatchObject([{ name: "backup", source: "config", grace: "5m" }]);
        expect(daemon.log()).toContain("schedules from the config file declared=1");
      } finally {
        expect(await daemon.stop()).toBe(0);
      }
    } finally {
      dir.cleanup();
    }
  });

  test("a start with no config file keeps them; a file without [[schedules]] removes them", async () => {
    const dir = makeTempDir();
    const db = join(dir.path, "s.db");
    const names = async (daemon: Awaited<ReturnType<typeof spawnDaemon>>, key: string) => {
      const response = await fetch(`${daemon.url}/api/schedules`, {
        headers: { authorization: `ApiKey ${key}` },
      });
      return ((await response.json()).schedules as { name: string }[]).map((s) => s.name);
    };
    try {
      const config = join(dir.path, "statusbox.toml");
      writeFileSync(config, `[[schedules]]\nname = "backup"\nevery = "1h"\n`);
      const first = await spawnDaemon(db, { args: ["--config", config] });
      const key = first.firstKey!;
      await first.stop();

      const forgot = await spawnDaemon(db);
      try {
        expect(await names(forgot, key)).toEqual(["backup"]);
        expect(forgot.log()).toContain(
          "no config file; keeping the schedules an earlier one declared kept=1",
        );
      } finally {
        await forgot.stop();
      }

      writeFileSync(config, `[server]\nport = 0\n`);
      const emptied = await spawnDaemon(db, { args: ["--config", config] });
      try {
        expect(await names(emptied, key)).toEqual([]);
        expect(emptied.log()).toContain("schedules from the config file declared=0 removed=1");
      } finally {
        await emptied.stop();
      }
    } finally {
      dir.cleanup();
    }
  });
});

describe("the README's Schedules section", () => {
  test("its example file is valid", () => {
    const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
    const start = readme.indexOf("\n## Schedules: noticing jobs that never started\n");
    expect(start).toBeGreaterThan(0);
    const section = readme.slice(start, readme.indexOf("\n## ", start + 1));
    const [toml] = [...section.matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(load(toml!)).toMatchObject([
      { name: "nightly-backup", spec: { cron: "0 3 * * *", tz: "Europe/Berlin" } },
      { name: "queue-drain", spec: { everyMs: 600_000, graceMs: 120_000 } },
    ]);
  });
});
