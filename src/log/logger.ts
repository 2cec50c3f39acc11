export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** One line per event worth knowing. Passed in everywhere, so tests can capture or silence it. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const LEVEL_RANK: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  level?: LogLevel;
  format?: "text" | "json";
  write?: (line: string) => void;
  now?: () => Date;
}

/** Text: `time LEVEL message key=value ...`; JSON: one object per line, for log shippers. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LEVEL_RANK[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? (() => new Date());
  const format = options.format ?? "text";

  const log =
    (level: LogLevel) =>
    (message: string, fields: LogFields = {}) => {
      if (LEVEL_RANK[level] < threshold) return;
      const time = now().toISOString();
      if (format === "json") {
        write(`${JSON.stringify({ time, level, msg: message, ...fields })}\n`);
        return;
      }
      const pairs = Object.entries(fields)
        .filter(([, value]) => value !== undefined)
        .map(([key, value]) => `${key}=${formatValue(value)}`);
      write(`${[time, level.toUpperCase().padEnd(5), message, ...pairs].join(" ")}\n`);
    };

  return { debug: log("debug"), info: log("info"), warn: log("warn"), error: log("error") };
}

function formatValue(value: string | number | boolean | null | undefined): string {
  const text = String(value);
  return /^[^\s"=]+$/.test(text) ? text : JSON.stringify(text);
}

export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
