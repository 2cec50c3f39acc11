import type { ParseArgsConfig } from "node:util";

export type OptionSpecs = NonNullable<ParseArgsConfig["options"]>;

/** Where a command writes. Tests pass their own to capture what a person would see. */
export interface CliIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Writes to stdout before answering, throwing if it cannot (for what must not be lost). */
  stdoutNow?: (text: string) => void;
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

/**
 * One subcommand of the binary. `path` is the words that select it (`["keys", "create"]`);
 * `usage` is the whole `--help` text. `run` answers the process exit code.
 */
export interface Command {
  path: string[];
  summary: string;
  usage: string;
  options: OptionSpecs;
  /**
   * How many positional arguments it takes; everything after `--` counts as positional.
   * `missing[i]` is the sentence for a command line that stops before argument i.
   */
  positionals?: { min: number; max: number; missing?: string[] };
  run(args: ParsedArgs, io: CliIO): Promise<number>;
}

/** Thrown for bad command-line use: the message is printed with the usage and exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export const stringOption = (args: ParsedArgs, name: string): string | undefined => {
  const value = args.values[name];
  return typeof value === "string" ? value : undefined;
};
