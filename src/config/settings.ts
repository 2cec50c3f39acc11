import type { ParsedArgs } from "../cli/command.ts";

/** A setting's value and where it came from, so that a bad one is blamed on its source. */
export interface Setting {
  value: string;
  /** `--port`, `STATUSBOX_PORT` or the file's key (`server.port`); a default's is its flag. */
  from: string;
}

/**
 * Resolves one setting: the command-line flag wins over the `STATUSBOX_*` environment
 * variable, which wins over the config file (when one is loaded), which wins over the default.
 */
export function resolveNamedSetting(
  args: ParsedArgs,
  flag: string,
  envName: string,
  fallback: string,
  fromFile?: { value: string | undefined; key: string },
): Setting {
  const flagValue = args.values[flag];
  if (typeof flagValue === "string") return { value: flagValue, from: `--${flag}` };

  const envValue = process.env[envName];
  if (envValue !== undefined && envValue !== "") return { value: envValue, from: envName };

  if (fromFile?.value !== undefined) return { value: fromFile.value, from: fromFile.key };
  return { value: fallback, from: `--${flag}` };
}

/** `resolveNamedSetting`'s value alone, for settings that cannot be wrong. */
export function resolveSetting(
  args: ParsedArgs,
  flag: string,
  envName: string,
  fallback: string,
  fromFile?: string,
): string {
  return resolveNamedSetting(args, flag, envName, fallback, { value: fromFile, key: "" }).value;
}

export const DEFAULT_DB_PATH = "./statusbox.db";
export const DEFAULT_HOST = "127.0.0.1";
export const DEFAULT_PORT = 8080;

/** The `--db` option every command that opens the database shares. */
export const DB_OPTION = { db: { type: "string" } } as const;

export const dbPathOf = (args: ParsedArgs): string =>
  resolveSetting(args, "db", "STATUSBOX_DB", DEFAULT_DB_PATH);
