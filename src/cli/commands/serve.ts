import { fstatSync, statSync } from "node:fs";
import { startDaemon } from "../../daemon.ts";
import { createLogger } from "../../log/logger.ts";
import { apiKeyProblem } from "../../config/api-key.ts";
import { CONFIG_OPTION, ConfigError } from "../../config/config-file.ts";
import { OPERATIONS_OPTIONS } from "../../config/operations-settings.ts";
import { resolveServeSettings } from "../../config/serve-settings.ts";
import { DB_OPTION, DEFAULT_HOST, DEFAULT_PORT } from "../../config/settings.ts";
import { explainOpenError } from "../../storage/open-errors.ts";
import { isDamaged } from "../../storage/storage-errors.ts";
import type { CliIO, Command } from "../command.ts";

export const serveCommand: Command = {
  path: ["serve"],
  summary: "Run the daemon: the HTTP API, timeouts and the database",
  usage: `Usage: statusbox serve [options]

Serves the StatusBox API on an embedded SQLite database. On the first start of an empty
database it creates an API key once it listens, and prints it once on stdout; a start that
fails creates none.

Options:
  --host HOST          address to listen on (STATUSBOX_HOST, default ${DEFAULT_HOST})
  --port PORT          port to listen on, 0 for any free port (STATUSBOX_PORT,
                       default ${DEFAULT_PORT})
  --db PATH            database file, created when missing (STATUSBOX_DB, default ./statusbox.db)
  --config PATH        config file (STATUSBOX_CONFIG, default ./statusbox.toml when it exists)
  --durability MODE    full: a 200 survives power loss; normal: it survives a crash of the
                       daemon only (STATUSBOX_DURABILITY, default full)
  --retention-days N   keep finished runs N days (STATUSBOX_RETENTION_DAYS, default 60)
  --max-events-per-run N
                       keep a finished run's newest N events (STATUSBOX_MAX_EVENTS_PER_RUN,
                       default 10000)
  --log-format FORMAT  text or json, one object per line (STATUSBOX_LOG_FORMAT, default text)
  --log-level LEVEL    debug, info, warn or error (STATUSBOX_LOG_LEVEL, default info)
  --log-requests       one log line per HTTP request (STATUSBOX_LOG_REQUESTS)
  --metrics-open-on-loopback
                       serve /metrics without a key to clients on 127.0.0.1 or ::1
                       (STATUSBOX_METRICS_OPEN_ON_LOOPBACK)
  -h, --help           show this help

Environment:
  STATUSBOX_API_KEY    a secret to accept as a write key (created in the database if missing):
                       16 to 1024 printable ASCII characters, no spaces or control characters

Stops cleanly on SIGTERM or SIGINT.
`,
  options: {
    ...DB_OPTION,
    ...CONFIG_OPTION,
    host: { type: "string" },
    port: { type: "string" },
    durability: { type: "string" },
    ...OPERATIONS_OPTIONS,
  },
  async run(args, io) {
    let settings;
    try {
      settings = resolveServeSettings(args);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr(`statusbox serve: ${error.message}\n`);
      return 2;
    }
    // Refused before anything starts: a weak key would be stored and accepted from then on.
    const ensureKey = process.env.STATUSBOX_API_KEY || undefined;
    const keyProblem = ensureKey === undefined ? null : apiKeyProblem(ensureKey);
    if (keyProblem !== null) {
      io.stderr(`statusbox serve: ${keyProblem}\n`);
      return 1;
    }
    const { log, retention, metricsOpenOnLoopback } = settings.operations;
    const logger = createLogger({ format: log.format, level: log.level });
    // Listen before starting: a SIGTERM during start-up must still mean a clean stop.
    const stopSignal = waitForSignal();
    // Files the daemon creates (the database, its WAL) are for its owner alone.
    process.umask(0o077);

    let daemon;
    try {
      daemon = await startDaemon({
        dbPath: settings.dbPath,
        host: settings.host,
        port: settings.port,
        durability: settings.durability,
        logger,
        ensureKey,
        retention,
        logRequests: log.requests,
        metricsOpenOnLoopback,
        alerts: settings.config.alerts,
        // A file without [[schedules]] declares none; no file at all leaves them as they are.
        schedules: settings.configPath === null ? undefined : (settings.config.schedules ?? []),
        // Printed before the ready line, so whoever waits for "ready" finds the key too.
        onFirstKey: (secret) => printFirstKey(io, secret),
      });
    } catch (caught) {
      // The file opened, but a page read while starting (recovering deadlines, say) was
      // damaged: said as any other database that cannot be used, not in SQLite's bare words.
      const error = isDamaged(caught) ? explainOpenError(settings.dbPath, caught) : caught;
      logger.error("could not start", { error: (error as Error).message, db: settings.dbPath });
      // Nothing of the daemon is left running; make sure no stray handle keeps us alive.
      setTimeout(() => process.exit(1), 1000).unref();
      return 1;
    }

    if (!isLoopback(settings.host) && !daemon.keys.hasAny()) {
      logger.warn("serving on a non-loopback address with no active API key", {
        host: settings.host,
      });
    }

    const stopped = await stopSignal;
    logger.info("shutting down", { signal: stopped });
    await daemon.stop();
    // Nothing should keep the process alive now; if something does, it must not hold up
    // a service manager waiting for the exit.
    setTimeout(() => process.exit(0), 250).unref();
    return 0;
  },
};

function isLoopback(host: string): boolean {
  return host === "localhost" || host.startsWith("127.") || host === "::1";
}

function waitForSignal(): Promise<string> {
  return new Promise((resolve) => {
    const onSignal = (signal: string) => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      resolve(signal);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}

/**
 * Prints the first key, which exists nowhere else. Throws when no one could read it: stdout
 * is /dev/null (closed descriptors are opened on it) or refuses the write (a full disk).
 */
function printFirstKey(io: CliIO, secret: string): void {
  if (io.stdoutNow && stdoutIsDevNull()) throw new Error("standard output is /dev/null");
  const text =
    "Created the first API key. It is shown only this once; keep it somewhere safe:\n" +
    `${secret}\n`;
  try {
    (io.stdoutNow ?? io.stdout)(text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`standard output refused it (${code})`);
  }
}

function stdoutIsDevNull(): boolean {
  try {
    const out = fstatSync(1);
    return out.isCharacterDevice() && out.rdev === statSync("/dev/null").rdev;
  } catch {
    return true;
  }
}
