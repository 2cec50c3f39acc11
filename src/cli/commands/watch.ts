import { CONFIG_OPTION, ConfigError } from "../../config/config-file.ts";
import { resolveDbPath } from "../../config/operations-settings.ts";
import { DB_OPTION } from "../../config/settings.ts";
import { RUN_STATUSES } from "../../domain/run.ts";
import { stringOption, UsageError, type Command } from "../command.ts";

const WINDOWS = ["1h", "24h", "7d", "all"] as const;

export const watchCommand: Command = {
  path: ["watch"],
  summary: "Watch runs, their events and counts live in the terminal",
  usage: `Usage: statusbox watch [--db PATH] [options]

Opens a full-screen view of the runs in the database, updated live while the daemon writes
(within a second, no key needed). It opens the database read-only and never writes to it; it
works whether the daemon is running or stopped. Needs a terminal of at least 80x24.

When stdout is not a terminal (statusbox watch | cat), or with --once, it prints the runs
table once as plain text and exits 0.

Keys: arrows or j/k move, PgUp/PgDn and g/G jump, Enter opens a run, Esc goes back, / filters
by name as you type, s cycles a status filter, w cycles the window of the counts, f toggles
follow (keep the newest run selected), n switches to the job names (their last run, last
success, runs and failures, durations and next expected time; Enter lists a name's runs),
? shows help, q or Ctrl-C quits. In a run's detail only the moves, Esc, ? and q act; s and f
act on the runs table only.

Options:
  --db PATH          database file (STATUSBOX_DB, [server] db, default ./statusbox.db)
  --config PATH      config file (STATUSBOX_CONFIG, default ./statusbox.toml)
  --once             print the runs table once and exit
  --limit N          how many runs --once prints, 1 to 10000 (default 50)
  --status STATUS    only runs in this status (${RUN_STATUSES.join(", ")})
  --name TEXT        only runs whose name contains TEXT (any case)
  --window W         the window of the counts in the header: ${WINDOWS.join(", ")} (default 24h)
  -h, --help         show this help

Honours NO_COLOR: statuses keep their symbol and word without colour.
Exits 1 with a message when the database is missing or is not a StatusBox database.
`,
  options: {
    ...DB_OPTION,
    ...CONFIG_OPTION,
    once: { type: "boolean" },
    limit: { type: "string" },
    status: { type: "string" },
    name: { type: "string" },
    window: { type: "string" },
  },
  async run(args, io) {
    const options = {
      once: args.values.once === true,
      limit: parseLimit(stringOption(args, "limit")),
      filter: {
        status: parseStatus(stringOption(args, "status")),
        name: stringOption(args, "name") ?? "",
      },
      window: parseWindow(stringOption(args, "window")),
    };
    let path: string;
    try {
      path = resolveDbPath(args).dbPath;
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr(`statusbox watch: ${error.message}\n`);
      return 2;
    }

    // Loaded here, not at the top: the other commands should not pay for React and Ink.
    const { runWatch } = await import("../../../tui/run-watch.tsx");
    const { WatchDbError } = await import("../../../tui/data/watch-db.ts");
    try {
      return await runWatch({ path, ...options, stdout: io.stdout });
    } catch (error) {
      if (!(error instanceof WatchDbError)) throw error;
      io.stderr(`statusbox watch: ${error.message}\n`);
      return 1;
    }
  },
};

function parseLimit(text: string | undefined): number {
  if (text === undefined) return 50;
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > 10_000) {
    throw new UsageError(`--limit must be a whole number from 1 to 10000, not '${text}'`);
  }
  return limit;
}

/** Checked against the statuses in the database once it is open (runWatch). */
function parseStatus(text: string | undefined): string | null {
  if (text === undefined) return null;
  if (text === "") throw new UsageError("--status must not be empty");
  return text;
}

function parseWindow(text: string | undefined): (typeof WINDOWS)[number] {
  if (text === undefined) return "24h";
  const window = WINDOWS.find((w) => w === text);
  if (window) return window;
  throw new UsageError(`--window must be one of ${WINDOWS.join(", ")}, not '${text}'`);
}
