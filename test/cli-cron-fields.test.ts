import { afterAll, describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { runCli } from "../src/cli/main.ts";
import { ConfigError, loadConfigFile } from "../src/config/config-file.ts";
import { specOf } from "../src/schedules/spec.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

const dir = makeTempDir();
afterAll(() => dir.cleanup());

const rule = (count: number) =>
  `is not a valid cron expression: it has ${count} field${count === 1 ? "" : "s"}; 5 are accepted ` +
  "(minute hour day-of-month month day-of-week), or 6 with seconds first " +
  "(second minute hour day-of-month month day-of-week)";

async function cli(...argv: string[]) {
  let stderr = "";
  const code = await runCli(argv, { stdout: () => {}, stderr: (text) => void (stderr += text) });
  return { code, firstLine: stderr.split("\n")[0]! };
}

function configError(cron: string): string {
  const path = join(dir.path, "statusbox.toml");
  writeFileSync(
    path,
    `[[schedules]]\nname = "ok"\ncron = "@daily"\n\n[[schedules]]\nname = "n"\ncron = "${cron}"\n`,
  );
  try {
    loadConfigFile(path);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("the file was accepted");
}

describe("a cron expression with the wrong number of fields", () => {
  test("schedules set says how many fields are accepted and what they are (exit 2)", async () => {
    for (const [cron, count] of [
      ["0 0 3 * * * *", 7],
      ["* * * * * * * *", 8],
      ["0 3 * *", 4],
      ["* *", 2],
    ] as const) {
      // No daemon runs at this URL: the check happens before any request.
      const result = await cli(
        "schedules",
        "set",
        "nightly",
        "--cron",
        cron,
        "--url",
        "http://127.0.0.1:1",
      );
      expect(result.code).toBe(2);
      expect(result.firstLine).toBe(`statusbox schedules set: --cron ${rule(count)}`);
    }
  });

  test("the config file names the table and says the same, for too many or too few", () => {
    expect(configError("0 0 3 * * * *")).toEndWith(`schedules[1].cron ${rule(7)}`);
    expect(configError("0 3 * *")).toEndWith(`schedules[1].cron ${rule(4)}`);
    expect(configError("daily")).toEndWith(`schedules[1].cron ${rule(1)}`);
  });

  test("the API's rule is the config file's: the same sentence from specOf", () => {
    for (const [cron, count] of [
      ["0 0 3 * * * *", 7],
      ["* *", 2],
    ] as const) {
      expect(specOf({ cron })).toEqual({ error: `cron ${rule(count)}` });
    }
  });

  test("config check refuses a 7-field cron with the sentence, exit 1", async () => {
    const path = join(dir.path, "seven.toml");
    writeFileSync(path, `[[schedules]]\nname = "n"\ncron = "0 0 3 * * * 2030"\n`);
    const result = await cli("config", "check", "--config", path);
    expect(result.code).toBe(1);
    expect(result.firstLine).toBe(`statusbox config check: ${path}: schedules[0].cron ${rule(7)}`);
  });

  test("5 and 6 fields and nicknames still pass the count", () => {
    const path = join(dir.path, "good.toml");
    writeFileSync(
      path,
      ["0 3 * * *", "30 0 3 * * *", "@hourly"]
        .map((cron, i) => `[[schedules]]\nname = "n${i}"\ncron = "${cron}"\n`)
        .join("\n"),
    );
    expect(loadConfigFile(path).schedules).toHaveLength(3);
  });
});
