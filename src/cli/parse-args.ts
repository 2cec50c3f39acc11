import { parseArgs } from "node:util";
import { UsageError, type Command, type OptionSpecs, type ParsedArgs } from "./command.ts";

const HELP_OPTION = { help: { type: "boolean", short: "h" } } as const;

/**
 * Parses a command's arguments (the words after its path), the one place the command line is
 * read. Every mistake throws UsageError with one short sentence naming the option or argument:
 * Node's own parseArgs messages are long and speak of its API, not of ours.
 */
export function parseCommandArgs(command: Command, rest: string[]): ParsedArgs {
  const options = { ...command.options, ...HELP_OPTION };
  checkOptions(options, rest);
  const parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  if (parsed.values.help === true) return parsed;

  const limits = command.positionals ?? { min: 0, max: 0 };
  const count = parsed.positionals.length;
  if (count < limits.min) {
    throw new UsageError(limits.missing?.[count] ?? "missing argument");
  }
  if (count > limits.max) {
    throw new UsageError(`unexpected argument '${parsed.positionals[limits.max]}'`);
  }
  return parsed;
}

/** Finds the first option that strict parsing would refuse, and says what is wrong with it. */
function checkOptions(options: OptionSpecs, rest: string[]): void {
  const { tokens } = parseArgs({
    args: rest,
    options,
    allowPositionals: true,
    strict: false,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind === "option-terminator") return;
    if (token.kind !== "option") continue;

    const name = token.rawName.startsWith("--") ? token.name : longNameOf(options, token.name);
    const spec = name === undefined ? undefined : options[name];
    if (spec === undefined) throw new UsageError(`unknown option ${token.rawName}`);
    if (spec.type === "boolean" && token.value !== undefined) {
      throw new UsageError(`${token.rawName} takes no value`);
    }
    if (spec.type === "string" && token.value === undefined) {
      throw new UsageError(`${token.rawName} needs a value`);
    }
    // `--name --read-only` is most likely a forgotten value, not a name that starts with '-'.
    if (spec.type === "string" && !token.inlineValue && /^-./.test(token.value ?? "")) {
      throw new UsageError(
        `${token.rawName} needs a value before '${token.value}' ` +
          `(for a value that starts with '-', write ${token.rawName}=${token.value})`,
      );
    }
  }
}

/** The long name of a short option (`h` for `-h`), if the command has one. */
function longNameOf(options: OptionSpecs, short: string): string | undefined {
  return Object.keys(options).find((name) => options[name]?.short === short);
}

/** Whether `error` is one of parseArgs' own, which checkOptions should have caught first. */
export function isParseArgsError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS");
}
