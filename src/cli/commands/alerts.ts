import { deliver } from "../../alerts/channels/index.ts";
import type { AlertChannel } from "../../alerts/config.ts";
import { pendingAlerts, recentDeliveries } from "../../alerts/delivery-log.ts";
import { formatDuration } from "../../alerts/duration.ts";
import { testPayload } from "../../alerts/test-alert.ts";
import {
  CONFIG_OPTION,
  ConfigError,
  configPathOf,
  loadConfigFile,
} from "../../config/config-file.ts";
import { resolveDbPath } from "../../config/operations-settings.ts";
import { DB_OPTION } from "../../config/settings.ts";
import { openDatabase } from "../../storage/database.ts";
import { terminalSafe } from "../../text/terminal-safe.ts";
import { stringOption, UsageError, type CliIO, type Command, type ParsedArgs } from "../command.ts";
import { formatTable } from "../format-table.ts";
import { announceNewDatabase } from "../new-database-notice.ts";

export const alertsTestCommand: Command = {
  path: ["alerts", "test"],
  summary: "Send a test alert on each channel and print the outcomes",
  usage: `Usage: statusbox alerts test [--channel NAME] [--config PATH]

Sends a test alert (trigger "test", a made-up failed run named statusbox-test) on every
[[alerts]] channel of the config file, or only on NAME, right away: no daemon and no
outbox, and no retries. Prints each channel's outcome with its HTTP status or SMTP reply
(status 200), or for a command channel its exit code (exit 0); exits 0 when every one
delivered, 1 otherwise.

Options:
  --channel NAME   only this channel
  --config PATH    config file (STATUSBOX_CONFIG, default ./statusbox.toml when it exists)
`,
  options: { ...CONFIG_OPTION, channel: { type: "string" } },
  async run(args, io) {
    const channels = channelsToTest(args, io);
    if (channels === null) return 1;

    let allDelivered = true;
    for (const channel of channels) {
      const began = performance.now();
      const result = await deliver(channel, testPayload(channel.name, Date.now()), neverAborted);
      const took = formatDuration(performance.now() - began);
      const status =
        result.statusCode === null ? "" : `, ${codeWord(channel)} ${result.statusCode}`;
      const outcome = result.outcome.replace("_", " ");
      // The error may quote the receiver's answer: it is not ours to send to a terminal raw.
      const error = result.error === null ? "" : `: ${terminalSafe(result.error)}`;
      const name = terminalSafe(channel.name);
      (result.outcome === "delivered" ? io.stdout : io.stderr)(
        `${name} (${channel.type}): ${outcome}${status}, ${took}${error}\n`,
      );
      if (result.outcome !== "delivered") allDelivered = false;
    }
    return allDelivered ? 0 : 1;
  },
};

const neverAborted = new AbortController().signal;

/** A command channel's code is its exit code; the others' an HTTP status or SMTP reply. */
const codeWord = (channel: AlertChannel) => (channel.type === "command" ? "exit" : "status");

/** The channels to test, or null after printing why there are none. */
function channelsToTest(args: ParsedArgs, io: CliIO): AlertChannel[] | null {
  const located = configPathOf(args);
  if (located === null) {
    io.stderr(
      "statusbox alerts test: no config file (--config, STATUSBOX_CONFIG or ./statusbox.toml)\n",
    );
    return null;
  }
  let channels: AlertChannel[];
  try {
    channels = loadConfigFile(located.path, located.from).alerts ?? [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.stderr(`statusbox alerts test: ${error.message}\n`);
    return null;
  }

  const wanted = stringOption(args, "channel");
  const chosen = wanted === undefined ? channels : channels.filter((c) => c.name === wanted);
  if (chosen.length > 0) return chosen;
  const known = channels.map((c) => c.name).join(", ") || "none";
  const what = wanted === undefined ? "no [[alerts]] channels" : `no channel named '${wanted}'`;
  io.stderr(`statusbox alerts test: ${located.path} has ${what} (channels: ${known})\n`);
  return null;
}

export const alertsLogCommand: Command = {
  path: ["alerts", "log"],
  summary: "List recent alert deliveries and failures",
  usage: `Usage: statusbox alerts log [--db PATH] [--limit N] [--channel NAME]

Lists the most recent delivery attempts, newest first: when, channel, run, trigger,
outcome (delivered, failed: will be retried, permanent failure), status code, duration and
error; then how many alerts are still waiting to be delivered. STATUS is the HTTP status or
SMTP reply code, and a command channel's exit code.

Options:
  --db PATH        database file (STATUSBOX_DB, [server] db, default ./statusbox.db),
                   created (and said so) when missing
  --config PATH    config file to read [server] db from (STATUSBOX_CONFIG, default
                   ./statusbox.toml when it exists)
  --limit N        how many attempts to list, 1 to 1000 (default 50)
  --channel NAME   only this channel's attempts
`,
  options: {
    ...DB_OPTION,
    ...CONFIG_OPTION,
    limit: { type: "string" },
    channel: { type: "string" },
  },
  async run(args, io) {
    const limit = parseLimit(stringOption(args, "limit") ?? "50");
    const { dbPath } = resolveDbPath(args);
    const db = openDatabase(dbPath, { onCreate: announceNewDatabase(io) });
    try {
      const channel = stringOption(args, "channel");
      const entries = recentDeliveries(db, { limit, channel });
      const pending = pendingAlerts(db, channel);
      if (entries.length === 0) io.stdout("No delivery attempts yet.\n");
      else io.stdout(formatTable(LOG_HEADERS, entries.map(logRow)));

      if (pending.count > 0 && pending.nextAttemptAt !== null) {
        const next = new Date(pending.nextAttemptAt).toISOString();
        io.stdout(`${pending.count} alert(s) waiting for delivery; next attempt at ${next}\n`);
      }
      return 0;
    } finally {
      db.close();
    }
  },
};

const LOG_HEADERS = ["TIME", "CHANNEL", "RUN", "TRIGGER", "OUTCOME", "STATUS", "DURATION", "ERROR"];

/** A failed attempt, told apart by what became of its alert since. */
const FAILED_ATTEMPT: Record<string, string> = {
  pending: "failed, will retry",
  delivered: "failed, retried",
};

/** One attempt as a row; run names and errors come from jobs and receivers, so made safe. */
function logRow(entry: ReturnType<typeof recentDeliveries>[number]): string[] {
  const outcome =
    entry.outcome === "failed" ? (FAILED_ATTEMPT[entry.state] ?? "failed") : entry.outcome;
  const run = entry.runId === null ? entry.runName : `${entry.runName} #${entry.runId}`;
  return [
    new Date(entry.at).toISOString(),
    terminalSafe(entry.channel),
    terminalSafe(run),
    terminalSafe(entry.trigger),
    outcome.replace("_", " "),
    entry.statusCode === null ? "-" : String(entry.statusCode),
    formatDuration(entry.durationMs),
    terminalSafe(entry.error ?? ""),
  ];
}

function parseLimit(text: string): number {
  const limit = Number(text);
  if (!/^\d+$/.test(text) || limit < 1 || limit > 1000) {
    throw new UsageError(`--limit must be a whole number from 1 to 1000, not '${text}'`);
  }
  return limit;
}
