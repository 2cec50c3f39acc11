import { startDaemon } from "../../daemon.ts";
import { createLogger } from "../../log/logger.ts";
import type { Durability } from "../../storage/database.ts";
import {
  DB_OPTION,
  DEFAULT_HOST,
  DEFAULT_PORT,
  dbPathOf,
  resolveSetting,
} from "../../config/settings.ts";
import { UsageError, type Command } from "../command.ts";

export const serveCommand: Command = {
  path: ["serve"],
  summary: "Run the daemon: the HTTP API, timeouts and the database",
  usage: `Usage: statusbox serve [options]

Serves the StatusBox API on an embedded SQLite database. On the first start of an empty
database it creates an API key and prints it once on stdout.

Options:
  --host HOST          address to listen on (STATUSBOX_HOST, default ${DEFAULT_HOST})
  --port PORT          port to listen on, 0 for any free port (STATUSBOX_PORT, default ${DEFAULT_PORT})
  --db PATH            database file, created when missing (STATUSBOX_DB, default ./statusbox.db)
  --durability MODE    full: a 200 survives power loss; normal: it survives a crash of the
                       daemon only (STATUSBOX_DURABILITY, default full)
  -h, --help           show this help

Environment:
  STATUSBOX_API_KEY    a secret to accept as a write key (created in the database if missing)

Stops cleanly on SIGTERM or SIGINT.
`,
  options: {
    ...DB_OPTION,
    host: { type: "string" },
    port: { type: "string" },
    durability: { type: "string" },
  },
  async run(args, io) {
    const host = resolveSetting(args, "host", "STATUSBOX_HOST", DEFAULT_HOST);
    const port = parsePort(resolveSetting(args, "port", "STATUSBOX_PORT", String(DEFAULT_PORT)));
    const durability = parseDurability(
      resolveSetting(args, "durability", "STATUSBOX_DURABILITY", "full"),
    );
    const logger = createLogger();
    // Files the daemon creates (the database, its WAL) are for its owner alone.
    process.umask(0o077);

    let daemon;
    try {
      daemon = await startDaemon({
        dbPath: dbPathOf(args),
        host,
        port,
        durability,
        logger,
        ensureKey: process.env.STATUSBOX_API_KEY || undefined,
      });
    } catch (error) {
      logger.error("could not start", { error: (error as Error).message });
      return 1;
    }

    if (daemon.firstKey) {
      io.stdout(
        "Created the first API key. It is shown only this once; keep it somewhere safe:\n" +
          `${daemon.firstKey}\n`,
      );
    }
    if (!isLoopback(host) && !daemon.keys.hasAny()) {
      logger.warn("serving on a non-loopback address with no active API key", { host });
    }

    const stopped = await waitForSignal();
    logger.info("shutting down", { signal: stopped });
    await daemon.stop();
    return 0;
  },
};

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
