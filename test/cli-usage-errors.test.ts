import { expect, test } from "bun:test";
import { runCli } from "../src/cli/main.ts";
import { COMMANDS } from "../src/cli/commands/index.ts";

/** Runs the command line in-process and answers what a person would see, and the code. */
async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

/** The first line on stderr: the sentence, without the usage printed after it. */
const firstLine = (text: string) => text.split("\n")[0];

test("an unknown option is one short sentence and the usage, exit 2, for every command", async () => {
  for (const command of COMMANDS) {
    const name = command.path.join(" ");
    const result = await cli(...command.path, "--bogus");
    expect({ name, code: result.code, line: firstLine(result.stderr) }).toEqual({
      name,
      code: 2,
      line: `statusbox ${name}: unknown option --bogus`,
    });
    expect(result.stderr).toContain(`\n\nUsage: statusbox ${name}`);
    expect(result.stdout).toBe("");
  }
});

test("an unknown short option is named as typed", async () => {
  expect(firstLine((await cli("serve", "-x")).stderr)).toBe("statusbox serve: unknown option -x");
  expect(firstLine((await cli("keys", "list", "-ab")).stderr)).toBe(
    "statusbox keys list: unknown option -a",
  );
});

test("an option without its value, or a flag given one, says which and exits 2", async () => {
  const cases: [string[], string][] = [
    [["serve", "--port"], "statusbox serve: --port needs a value"],
    [["keys", "list", "--db"], "statusbox keys list: --db needs a value"],
    [["serve", "--log-requests=yes"], "statusbox serve: --log-requests takes no value"],
    [["serve", "--help=1"], "statusbox serve: --help takes no value"],
    [
      ["keys", "create", "--name", "--read-only"],
      "statusbox keys create: --name needs a value before '--read-only' " +
        "(for a value that starts with '-', write --name=--read-only)",
    ],
  ];
  for (const [argv, line] of cases) {
    const result = await cli(...argv);
    expect({ argv, code: result.code, line: firstLine(result.stderr) }).toEqual({
      argv,
      code: 2,
      line,
    });
  }
});

test("run without a COMMAND says the command to run is missing after --", async () => {
  for (const tail of [[], ["--"]]) {
    const result = await cli("run", "--name", "x", "--timeout", "60", ...tail);
    expect(result.code).toBe(2);
    expect(firstLine(result.stderr)).toBe(
      "statusbox run: the COMMAND to run is missing: give it after '--' (-- COMMAND [ARGS...])",
    );
  }
});

test("a missing positional argument is named", async () => {
  const cases: [string[], string][] = [
    [["keys", "revoke"], "statusbox keys revoke: the ID of the key to revoke is missing"],
    [["job", "show"], "statusbox job show: the ID of the run is missing"],
    [["job", "log", "1"], "statusbox job log: the MESSAGE to log is missing ('-' for stdin)"],
    [["schedules", "delete"], "statusbox schedules delete: the NAME of the schedule is missing"],
  ];
  for (const [argv, line] of cases) {
    const result = await cli(...argv);
    expect({ code: result.code, line: firstLine(result.stderr) }).toEqual({ code: 2, line });
  }
});
