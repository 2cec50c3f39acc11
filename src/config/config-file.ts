import { existsSync, readFileSync, statSync, type Stats } from "node:fs";
import { parse as parseToml, TomlError } from "smol-toml";
import { z } from "zod";
import type { ParsedArgs } from "../cli/command.ts";
import { alertsConfigSchema } from "../alerts/config.ts";
import { MAX_AGE_DAYS } from "../retention/policy.ts";
import { schedulesConfigSchema } from "../schedules/config.ts";

export const DEFAULT_CONFIG_PATH = "./statusbox.toml";

const positiveInt = (key: string) =>
  z
    .number({ error: `${key} must be a number` })
    .int(`${key} must be a whole number`)
    .positive(`${key} must be greater than 0`);

const serverSection = z
  .strictObject({
    host: z.string({ error: "server.host must be a string" }),
    port: z
      .number({ error: "server.port must be a number" })
      .int("server.port must be a whole number")
      .min(0, "server.port must be from 0 to 65535")
      .max(65535, "server.port must be from 0 to 65535"),
    db: z.string({ error: "server.db must be a string" }),
    durability: z.enum(["full", "normal"], { error: "server.durability must be full or normal" }),
  })
  .partial();

const logSection = z
  .strictObject({
    format: z.enum(["text", "json"], { error: "log.format must be text or json" }),
    level: z.enum(["debug", "info", "warn", "error"], {
      error: "log.level must be debug, info, warn or error",
    }),
    requests: z.boolean({ error: "log.requests must be true or false" }),
  })
  .partial();

const retentionSection = z
  .strictObject({
    days: z
      .number({ error: "retention.days must be a number" })
      .positive("retention.days must be greater than 0")
      .max(MAX_AGE_DAYS, `retention.days must be at most ${MAX_AGE_DAYS} (100 years)`),
    max_events_per_run: positiveInt("retention.max_events_per_run"),
  })
  .partial();

const metricsSection = z
  .strictObject({
    open_on_loopback: z.boolean({ error: "metrics.open_on_loopback must be true or false" }),
  })
  .partial();

/**
 * The config file. Sections other parts own (`alerts`, `schedules`) are validated in detail
 * by their own modules.
 */
export const configSchema = z.strictObject({
  server: serverSection.optional(),
  log: logSection.optional(),
  retention: retentionSection.optional(),
  metrics: metricsSection.optional(),
  alerts: alertsConfigSchema.optional(),
  schedules: schedulesConfigSchema.optional(),
});

export type ConfigFile = z.infer<typeof configSchema>;

export class ConfigError extends Error {
  constructor(path: string, message: string) {
    super(`${path}: ${message}`);
    this.name = "ConfigError";
  }
}

/**
 * Which file to read: `--config`, else STATUSBOX_CONFIG, else ./statusbox.toml when it
 * exists. Answers null when none applies; a named file that is missing is an error.
 */
export function configPathOf(args: ParsedArgs): LocatedConfig | null {
  const flag = args.values.config;
  if (typeof flag === "string") return { path: flag, required: true, from: "--config" };
  const env = process.env.STATUSBOX_CONFIG;
  if (env) return { path: env, required: true, from: "STATUSBOX_CONFIG" };
  return existsSync(DEFAULT_CONFIG_PATH)
    ? { path: DEFAULT_CONFIG_PATH, required: false, from: null }
    : null;
}

export interface LocatedConfig {
  path: string;
  required: boolean;
  /** What named the file, for a file that cannot be read: `--config` or STATUSBOX_CONFIG. */
  from: string | null;
}

/**
 * Reads and validates a config file; every mistake names the key and what is wrong, and a
 * file that cannot be read names `from`, what gave its path.
 */
export function loadConfigFile(path: string, from: string | null = null): ConfigFile {
  const named = from === null ? "" : ` (the path comes from ${from})`;
  let text: string;
  try {
    // Reading a FIFO waits for a writer for ever, and /dev/zero never ends: only a regular
    // file of a config file's size is read.
    const stat = statSync(path);
    if (!stat.isFile()) {
      throw new ConfigError(path, `not a regular file but ${kindOf(stat)}${named}`);
    }
    if (stat.size > MAX_CONFIG_BYTES) {
      throw new ConfigError(path, `${stat.size} bytes, over the 1 MiB a config file may hold`);
    }
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(path, `cannot read the file (${code})${named}`);
  }

  let parsed: unknown;
  try {
    parsed = parseToml(text);
  } catch (error) {
    if (!(error instanceof TomlError)) throw error;
    const reason = error.message.split("\n")[0]!.replace(/^Invalid TOML document: /, "");
    throw new ConfigError(path, `line ${error.line}, column ${error.column}: ${reason}`);
  }

  const result = configSchema.safeParse(parsed);
  if (result.success) return result.data;
  throw new ConfigError(path, describeIssue(result.error.issues[0]));
}

const MAX_CONFIG_BYTES = 1024 * 1024;

function kindOf(stat: Stats): string {
  if (stat.isDirectory()) return "a folder";
  if (stat.isFIFO()) return "a FIFO";
  if (stat.isSocket()) return "a socket";
  return "a device";
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return "not a valid configuration";
  const where = issue.path.map(String).join(".");
  if (issue.code === "unrecognized_keys") {
    const prefix = where === "" ? "" : `${where}.`;
    return `unknown key '${prefix}${issue.keys[0]}'`;
  }
  // Our own messages already open with the key; zod's generic ones get it added.
  return where === "" || issue.message.startsWith(where)
    ? issue.message
    : `${where}: ${issue.message}`;
}

/** The `--config` option, for the commands that read the file. */
export const CONFIG_OPTION = { config: { type: "string" } } as const;
