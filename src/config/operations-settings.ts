import { UsageError, type OptionSpecs, type ParsedArgs } from "../cli/command.ts";
import type { LogLevel } from "../log/logger.ts";
import { DEFAULT_POLICY, MAX_AGE_DAYS, type RetentionPolicy } from "../retention/policy.ts";
import { configPathOf, loadConfigFile, type ConfigFile } from "./config-file.ts";
import { resolveDatabasePath, resolveNamedSetting, type Setting } from "./settings.ts";

export type LogFormat = "text" | "json";

export interface LogSettings {
  format: LogFormat;
  level: LogLevel;
  /** One line per HTTP request: method, route, status, duration; never a body. */
  requests: boolean;
}

export interface OperationsSettings {
  retention: RetentionPolicy;
  log: LogSettings;
  /** Serve `/metrics` without a key to clients on a loopback address. */
  metricsOpenOnLoopback: boolean;
}

/** The flags behind these settings, for `serve` (and `--retention-*` for `prune`). */
export const RETENTION_OPTIONS = {
  "retention-days": { type: "string" },
  "max-events-per-run": { type: "string" },
} as const satisfies OptionSpecs;

export const OPERATIONS_OPTIONS = {
  ...RETENTION_OPTIONS,
  "log-format": { type: "string" },
  "log-level": { type: "string" },
  "log-requests": { type: "boolean" },
  "metrics-open-on-loopback": { type: "boolean" },
} as const satisfies OptionSpecs;

const LOG_LEVELS: LogLevel[] = ["debug", "info", "warn", "error"];

/**
 * Retention, log and metrics settings: flags, then STATUSBOX_* variables, then the config
 * file's [retention], [log] and [metrics], then defaults. A bad value throws UsageError
 * naming where it came from (the flag or the variable).
 */
export function resolveOperationsSettings(
  args: ParsedArgs,
  config: ConfigFile,
): OperationsSettings {
  return {
    retention: resolveRetention(args, config),
    log: {
      format: oneOf(
        resolveNamedSetting(args, "log-format", "STATUSBOX_LOG_FORMAT", "text", {
          value: config.log?.format,
          key: "log.format",
        }),
        ["text", "json"],
      ),
      level: oneOf(
        resolveNamedSetting(args, "log-level", "STATUSBOX_LOG_LEVEL", "info", {
          value: config.log?.level,
          key: "log.level",
        }),
        LOG_LEVELS,
      ),
      requests: flag(args, "log-requests", "STATUSBOX_LOG_REQUESTS", config.log?.requests),
    },
    metricsOpenOnLoopback: flag(
      args,
      "metrics-open-on-loopback",
      "STATUSBOX_METRICS_OPEN_ON_LOOPBACK",
      config.metrics?.open_on_loopback,
    ),
  };
}

export function resolveRetention(args: ParsedArgs, config: ConfigFile): RetentionPolicy {
  const file = config.retention ?? {};
  const asText = (value: number | undefined) => (value === undefined ? undefined : String(value));
  const days = resolveNamedSetting(
    args,
    "retention-days",
    "STATUSBOX_RETENTION_DAYS",
    String(DEFAULT_POLICY.days),
    { value: asText(file.days), key: "retention.days" },
  );
  const maxEvents = resolveNamedSetting(
    args,
    "max-events-per-run",
    "STATUSBOX_MAX_EVENTS_PER_RUN",
    String(DEFAULT_POLICY.maxEventsPerRun),
    { value: asText(file.max_events_per_run), key: "retention.max_events_per_run" },
  );
  return {
    days: positiveNumber(days, false, MAX_AGE_DAYS),
    maxEventsPerRun: positiveNumber(maxEvents, true),
  };
}

function positiveNumber({ value: text, from }: Setting, whole: boolean, max = Infinity): number {
  const value = Number(text);
  // A config file's small number comes back from String() with an exponent: 1e-7.
  const pattern = whole ? /^\d+$/ : /^\d+(\.\d+)?(e[+-]?\d+)?$/i;
  if (!pattern.test(text.trim()) || !(value > 0) || !Number.isFinite(value)) {
    const kind = whole ? "a whole number" : "a number";
    throw new UsageError(`${from} must be ${kind} greater than 0, not '${text}'`);
  }
  if (value > max) throw new UsageError(`${from} must be at most ${max}, not '${text}'`);
  return value;
}

function oneOf<T extends string>({ value, from }: Setting, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${from} must be one of ${allowed.join(", ")}, not '${value}'`);
}

/** A boolean flag; its variable takes true/false/1/0/yes/no. */
function flag(args: ParsedArgs, name: string, envName: string, fromFile?: boolean): boolean {
  if (args.values[name] === true) return true;
  const env = process.env[envName]?.trim().toLowerCase();
  if (env !== undefined && env !== "") {
    if (["1", "true", "yes", "on"].includes(env)) return true;
    if (["0", "false", "no", "off"].includes(env)) return false;
    throw new UsageError(`${envName} must be true or false, not '${env}'`);
  }
  return fromFile ?? false;
}

/**
 * The database of the maintenance commands (`prune`, `backup`): `--db`, else STATUSBOX_DB,
 * else the config file's [server] db, else the default, so that they find the daemon's
 * database from the same config file. Throws ConfigError for a bad file.
 */
export function resolveDbPath(args: ParsedArgs): { dbPath: string; config: ConfigFile } {
  const located = configPathOf(args);
  const config = located ? loadConfigFile(located.path, located.from) : {};
  const dbPath = resolveDatabasePath(args, config.server?.db);
  return { dbPath, config };
}
