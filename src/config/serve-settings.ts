import type { ParsedArgs } from "../cli/command.ts";
import { UsageError } from "../cli/command.ts";
import type { Durability } from "../storage/database.ts";
import { configPathOf, loadConfigFile, type ConfigFile } from "./config-file.ts";
import { resolveOperationsSettings, type OperationsSettings } from "./operations-settings.ts";
import {
  DEFAULT_HOST,
  DEFAULT_PORT,
  resolveDatabasePath,
  resolveNamedSetting,
  type Setting,
} from "./settings.ts";

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
  const config = located ? loadConfigFile(located.path, located.from) : {};
  const server = config.server ?? {};

  const host = parseHost(
    resolveNamedSetting(args, "host", "STATUSBOX_HOST", DEFAULT_HOST, {
      value: server.host,
      key: "server.host",
    }),
  );
  const port = parsePort(
    resolveNamedSetting(args, "port", "STATUSBOX_PORT", String(DEFAULT_PORT), {
      value: optional(server.port),
      key: "server.port",
    }),
  );
  const dbPath = resolveDatabasePath(args, server.db);
  const durability = parseDurability(
    resolveNamedSetting(args, "durability", "STATUSBOX_DURABILITY", "full", {
      value: server.durability,
      key: "server.durability",
    }),
  );
  const operations = resolveOperationsSettings(args, config);
  const configPath = located?.path ?? null;
  return { host, port, dbPath, durability, operations, configPath, config };
}

const optional = (value: number | undefined) => (value === undefined ? undefined : String(value));

/** A name or address to listen on; whether it resolves is only known when listening. */
function parseHost({ value, from }: Setting): string {
  // Control characters included: a host name never has them and the shell would show them raw.
  if (value.trim() === "" || /[\s\p{Cc}]/u.test(value) || value.length > 253) {
    throw new UsageError(`${from} must be a host name or IP address, not ${JSON.stringify(value)}`);
  }
  return value;
}

function parsePort({ value, from }: Setting): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new UsageError(`${from} must be a whole number from 0 to 65535, not '${value}'`);
  }
  return port;
}

function parseDurability({ value, from }: Setting): Durability {
  if (value === "full" || value === "normal") return value;
  throw new UsageError(`${from} must be 'full' or 'normal', not '${value}'`);
}
