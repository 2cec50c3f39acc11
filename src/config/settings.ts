import { UsageError, type ParsedArgs } from "../cli/command.ts";

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

/**
 * The database path: `--db`, STATUSBOX_DB, the file's `[server] db`, or ./statusbox.db.
 * An empty one would name the working folder, and one that starts or ends with white space
 * is nearly always a quoting slip (SQLite would also keep its log under another name), so
 * both are refused, naming where the value came from.
 */
export function resolveDatabasePath(args: ParsedArgs, fromFile?: string): string {
  const { value, from } = resolveNamedSetting(args, "db", "STATUSBOX_DB", DEFAULT_DB_PATH, {
    value: fromFile,
    key: "server.db",
  });
  if (value === "") throw new UsageError(`${from} must not be empty`);
  if (/^\s|\s$/.test(value)) {
    throw new UsageError(`${from} must not start or end with white space, not '${value}'`);
  }
  if (/[\u0000-\u001f\u007f]/.test(value)) {
    throw new UsageError(`${from} must not contain control characters`);
  }
  return value;
}
