import { describe, expect, test } from "bun:test";
import { runCli } from "../src/cli/main.ts";

/** Runs the command line in-process and captures what a person would see. */
async function cli(...argv: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
  });
  return { code, stdout, stderr };
}

const GROUPS = {
  keys: ["keys create", "keys list", "keys revoke"],
  job: ["job start", "job log", "job complete", "job fail", "job cancel", "job show"],
  alerts: ["alerts test", "alerts log"],
  schedules: ["schedules list", "schedules set", "schedules delete"],
  config: ["config check"],
};

describe("a command group", () => {
  test("alone prints its subcommands, one line each, to stderr and exits 2", async () => {
    for (const [group, members] of Object.entries(GROUPS)) {
      const result = await cli(group);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe("");
      expect(result.stderr).not.toContain("unknown command");
      expect(result.stderr).toContain(`Usage: statusbox ${group} <command>`);
      for (const member of members) {
        expect(result.stderr.split("\n").filter((l) => l.startsWith(`  ${member} `))).toHaveLength(
          1,
        );
      }
    }
  });

  test("with --help, -h or help prints the same usage to stdout and exits 0", async () => {
    for (const group of Object.keys(GROUPS)) {
      for (const ask of [
        [group, "--help"],
        [group, "-h"],
        [group, "help"],
        ["help", group],
      ]) {
        const result = await cli(...ask);
        expect(result.code).toBe(0);
        expect(result.stderr).toBe("");
        expect(result.stdout).toContain(`Usage: statusbox ${group} <command>`);
        expect(result.stdout).toContain(`  ${GROUPS[group as keyof typeof GROUPS][0]} `);
      }
    }
  });

  test("with an unknown subcommand names it and prints the group's usage, exit 2", async () => {
    const result = await cli("keys", "frob");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("statusbox: unknown command 'keys frob'");
    expect(result.stderr).toContain("keys revoke");
  });

  test("with a flag but no subcommand says the command is missing", async () => {
    const result = await cli("keys", "--db", "x.db");
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("statusbox keys: a command is missing before '--db'");
  });
});

describe("statusbox help", () => {
  test("alone prints the overview to stdout and exits 0", async () => {
    const result = await cli("help");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Usage: statusbox <command>");
  });

  test("help COMMAND prints that command's usage; an unknown one is refused", async () => {
    const known = await cli("help", "keys", "create");
    expect(known.code).toBe(0);
    expect(known.stdout).toContain("Usage: statusbox keys create");
    const unknown = await cli("help", "frob");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'frob'");
  });
});
