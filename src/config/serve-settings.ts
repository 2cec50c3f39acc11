import type { ParsedArgs } from "../cli/command.ts";
import { UsageError } from "../cli/command.ts";
import type { Durability } from "../storage/database.ts";
import { configPathOf, loadConfigFile, type ConfigFile } from "./config-file.ts";
import { resolveOperationsSettings, type OperationsSettings } from "./operations-settings.ts";
import { DEFAULT_DB_PATH, DEFAULT_HOST, DEFAULT_PORT, resolveSetting } from "./settings.ts";

export interface ServeSettings {
  host: string;
  port: number;
  dbPath: string;
  durability: Durability;
  /** Retention, logs and metrics. */
  operations: OperationsSettings;
  /** The config file that was read, if any, and its content. */
  configPath: string | null;
  config: ConfigFile;
}

/**
 * Everything `serve` needs, from flags, then STATUSBOX_* variables, then the config file,
 * then defaults. Throws ConfigError for a bad file and UsageError for a bad flag value.
 */
export function resolveServeSettings(args: ParsedArgs): ServeSettings {
  const located = configPathOf(args);
  const config = located ? loadConfigFile(located.path) : {};
  const server = config.server ?? {};

  const host = resolveSetting(args, "host", "STATUSBOX_HOST", DEFAULT_HOST, server.host);
  const port = parsePort(
    resolveSetting(args, "port", "STATUSBOX_PORT", String(DEFAULT_PORT), optional(server.port)),
  );
  const dbPath = resolveSetting(args, "db", "STATUSBOX_DB", DEFAULT_DB_PATH, server.db);
  const durability = parseDurability(
    resolveSetting(args, "durability", "STATUSBOX_DURABILITY", "full", server.durability),
  );
  const operations = resolveOperationsSettings(args, config);
  const configPath = located?.path ?? null;
  return { host, port, dbPath, durability, operations, configPath, config };
}

const optional = (value: number | undefined) => (value === undefined ? undefined : String(value));

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, not '${text}'`);
  }
  return port;
}

function parseDurability(text: string): Durability {
  if (text === "full" || text === "normal") return text;
  throw new UsageError(`--durability must be 'full' or 'normal', not '${text}'`);
}
