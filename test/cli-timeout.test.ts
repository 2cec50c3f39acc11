import { describe, expect, test } from "bun:test";
import { runCli } from "../src/cli/main.ts";

/** Runs the command line in-process; every case here is refused before any request. */
async function cli(...argv: string[]) {
  let stderr = "";
  const code = await runCli(argv, { stdout: () => {}, stderr: (text) => void (stderr += text) });
  return { code, firstLine: stderr.split("\n")[0]! };
}

const CASES: [string, string][] = [
  ["1e400", "--timeout must be at most 31622400 seconds (366 days), not '1e400'"],
  ["31622401", "--timeout must be at most 31622400 seconds (366 days), not '31622401'"],
  ["0", "--timeout must be a number greater than 0, not '0'"],
  ["-5", "--timeout must be a number greater than 0, not '-5'"],
  ["1e-400", "--timeout must be a number greater than 0, not '1e-400'"],
  ["NaN", "--timeout must be a number of seconds, not 'NaN'"],
  ["Infinity", "--timeout must be a number of seconds, not 'Infinity'"],
  ["ten", "--timeout must be a number of seconds, not 'ten'"],
  ["", "--timeout must be a number of seconds, not ''"],
];

describe("--timeout of job start and run", () => {
  for (const [value, message] of CASES) {
    test(`'${value}' is a usage error that says the rule`, async () => {
      for (const command of [["job", "start"], ["run"]]) {
        const tail = command[0] === "run" ? ["--", "true"] : [];
        const result = await cli(...command, "--name", "n", `--timeout=${value}`, ...tail);
        expect(result.code).toBe(2);
        expect(result.firstLine).toBe(`statusbox ${command.join(" ")}: ${message}`);
      }
    });
  }

  test("the largest timeout, a fraction and an exponent are accepted", async () => {
    const { jobSpecOf } = await import("../src/cli/run/arguments.ts");
    const spec = (timeout: string) =>
      jobSpecOf({ values: { name: "n", timeout }, positionals: [] }).timeoutSeconds;
    expect(spec("31622400")).toBe(31622400);
    expect(spec("0.5")).toBe(0.5);
    expect(spec("1e3")).toBe(1000);
  });
});
