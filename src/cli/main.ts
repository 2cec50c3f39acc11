import { COMMANDS } from "./commands/index.ts";
import { UsageError, type CliIO, type Command, type ParsedArgs } from "./command.ts";
import { isParseArgsError, parseCommandArgs } from "./parse-args.ts";
import { ConfigError } from "../config/config-file.ts";
import { DatabaseOpenError } from "../storage/open-errors.ts";
import { VERSION } from "../version.ts";

export function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.path.join(" ").length));
  const lines = COMMANDS.map((c) => `  ${c.path.join(" ").padEnd(width)}  ${c.summary}`);
  return [
    "statusbox: a self-hosted job monitor",
    "",
    "Usage: statusbox <command> [options]",
    "",
    "Commands:",
    ...lines,
    "",
    "Run 'statusbox <command> --help' for a command's options.",
    "Options: --help, --version",
    "",
  ].join("\n");
}

/** Finds the command whose words open `argv`, preferring the longest match. */
function findCommand(argv: string[]): Command | undefined {
  const matches = COMMANDS.filter((c) => c.path.every((word, i) => argv[i] === word));
  return matches.sort((a, b) => b.path.length - a.path.length)[0];
}

/** The usage of a group such as `keys`: its subcommands, one line each. */
export function groupUsage(group: string): string {
  const members = COMMANDS.filter((c) => c.path.length > 1 && c.path[0] === group);
  const width = Math.max(...members.map((c) => c.path.join(" ").length));
  const lines = members.map((c) => `  ${c.path.join(" ").padEnd(width)}  ${c.summary}`);
  return [
    `Usage: statusbox ${group} <command> [options]`,
    "",
    "Commands:",
    ...lines,
    "",
    `Run 'statusbox ${group} <command> --help' for a command's options.`,
    "",
  ].join("\n");
}

const isGroup = (word: string | undefined) =>
  COMMANDS.some((c) => c.path.length > 1 && c.path[0] === word);
const isHelp = (word: string | undefined) => word === "--help" || word === "-h" || word === "help";

/** Runs the command line and answers the exit code; never throws for bad input. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  // `statusbox help keys create` is `statusbox keys create --help`.
  if (argv[0] === "help" && argv.length > 1) return runCli([...argv.slice(1), "--help"], io);
  if (argv.length === 0 || isHelp(argv[0])) {
    (argv.length === 0 ? io.stderr : io.stdout)(overview());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === "--version" || argv[0] === "-v") {
    if (argv.length > 1) {
      io.stderr(`statusbox: --version takes nothing after it, not '${argv[1]}'\n`);
      return 2;
    }
    io.stdout(`statusbox ${VERSION}\n`);
    return 0;
  }

  const command = findCommand(argv);
  if (!command && isGroup(argv[0])) return runGroup(argv, io);
  if (!command) {
    io.stderr(`statusbox: unknown command '${argv[0]}'\n\n${overview()}`);
    return 2;
  }

  const rest = argv.slice(command.path.length);
  let parsed: ParsedArgs | undefined;
  try {
    parsed = parseCommandArgs(command, rest);
    if (parsed.values.help === true) {
      io.stdout(command.usage);
      return 0;
    }
    return await command.run(parsed, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr(
        `statusbox ${command.path.join(" ")}: ${(error as Error).message}\n\n${command.usage}`,
      );
      return 2;
    }
    // A config file (or setting) a command read and could not use: a usage mistake.
    if (error instanceof ConfigError) {
      io.stderr(`statusbox ${command.path.join(" ")}: ${error.message}\n`);
      return 2;
    }
    // Every command that opens the database says why it could not in the same one line.
    if (error instanceof DatabaseOpenError) {
      const from = parsed && dbFromEnvironment(parsed) ? " (the path comes from STATUSBOX_DB)" : "";
      io.stderr(`statusbox: cannot open database ${error.path}: ${error.reason}${from}\n`);
      return 1;
    }
    throw error;
  }
}

/** Whether the database path was STATUSBOX_DB's: no --db, and the variable wins over a file. */
const dbFromEnvironment = (args: ParsedArgs) =>
  typeof args.values.db !== "string" && (process.env.STATUSBOX_DB ?? "") !== "";

/** A group without a known subcommand: its usage, on stdout when asked for, else stderr. */
function runGroup(argv: string[], io: CliIO): number {
  const group = argv[0]!;
  if (isHelp(argv[1])) {
    io.stdout(groupUsage(group));
    return 0;
  }
  const problem =
    argv.length === 1 ? `statusbox ${group}: a command is missing` : unknownIn(group, argv[1]!);
  io.stderr(`${problem}\n\n${groupUsage(group)}`);
  return 2;
}

const unknownIn = (group: string, word: string) =>
  word.startsWith("-")
    ? `statusbox ${group}: a command is missing before '${word}'`
    : `statusbox: unknown command '${group} ${word}'`;
