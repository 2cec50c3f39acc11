import type { ParsedArgs } from "../cli/command.ts";

/**
 * Resolves one setting: the command-line flag wins over the `STATUSBOX_*` environment
 * variable, which wins over the config file (when one is loaded), which wins over the default.
 */
export function resolveSetting(
  args: ParsedArgs,
  flag: string,
  envName: string,
  fallback: string,
  fromFile?: string,
): string {
  const flagValue = args.values[flag];
  if (typeof flagValue === "string") return flagValue;

  const envValue = process.env[envName];
  if (envValue !== undefined && envValue !== "") return envValue;

  return fromFile ?? fallback;
}

export const DEFAULT_DB_PATH = "./statusbox.db";
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8080;

/** The `--db` option every command that opens the database shares. */
export const DB_OPTION = { db: { type: "string" } } as const;

export const dbPathOf = (args: ParsedArgs): string =>
  resolveSetting(args, "db", "STATUSBOX_DB", DEFAULT_DB_PATH);
