import { parseArgs } from "node:util";
import { COMMANDS } from "./commands/index.ts";
import { UsageError, type CliIO, type Command } from "./command.ts";
import { DatabaseOpenError } from "../storage/open-errors.ts";
import { VERSION } from "../version.ts";

const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;

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

/** Runs the command line and answers the exit code; never throws for bad input. */
export async function runCli(argv: string[], io: CliIO): Promise<number> {
  if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
    (argv.length === 0 ? io.stderr : io.stdout)(overview());
    return argv.length === 0 ? 2 : 0;
  }
  if (argv[0] === "--version" || argv[0] === "-v") {
    io.stdout(`statusbox ${VERSION}\n`);
    return 0;
  }

  const command = findCommand(argv);
  if (!command) {
    io.stderr(`statusbox: unknown command '${argv.slice(0, 2).join(" ")}'\n\n${overview()}`);
    return 2;
  }

  const rest = argv.slice(command.path.length);
  try {
    const parsed = parseCommandArgs(command, rest);
    if (parsed.values.help === true) {
      io.stdout(command.usage);
      return 0;
    }
    return await command.run(parsed, io);
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.stderr(`statusbox ${command.path.join(" ")}: ${(error as Error).message}\n\n${command.usage}`);
      return 2;
    }
    // Every command that opens the database says why it could not in the same one line.
    if (error instanceof DatabaseOpenError) {
      io.stderr(`statusbox: cannot open database ${error.path}: ${error.reason}\n`);
      return 1;
    }
    throw error;
  }
}

function parseCommandArgs(command: Command, rest: string[]) {
  const parsed = parseArgs({
    args: rest,
    options: { ...command.options, ...HELP_OPTION },
    allowPositionals: true,
    strict: true,
  });
  if (parsed.values.help === true) return parsed;

  const limits = command.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < limits.min) {
    throw new UsageError("missing argument");
  }
  if (parsed.positionals.length > limits.max) {
    throw new UsageError(`unexpected argument '${parsed.positionals[limits.max]}'`);
  }
  return parsed;
}

function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}
