import { CONFIG_OPTION, ConfigError } from "../../config/config-file.ts";
import {
  RETENTION_OPTIONS,
  resolveDbPath,
  resolveRetention,
} from "../../config/operations-settings.ts";
import { DB_OPTION } from "../../config/settings.ts";
import { systemClock } from "../../domain/clock.ts";
import { describeDays, MAX_AGE_DAYS, parseAgeDays } from "../../retention/policy.ts";
import { Pruner, type PruneReport } from "../../retention/pruner.ts";
import { openDatabase } from "../../storage/database.ts";
import { WriteQueue } from "../../storage/write-queue.ts";
import { stringOption, UsageError, type Command, type ParsedArgs } from "../command.ts";
import { announceNewDatabase } from "../new-database-notice.ts";

export const pruneCommand: Command = {
  path: ["prune"],
  summary: "Remove old runs and excess events now, and print the counts",
  usage: `Usage: statusbox prune [--older-than AGE] [--max-events-per-run N] [--db PATH]

Does now what the daemon's retention does in the background: removes finished runs that
ended more than AGE ago, with their events, and drops the oldest events of finished runs
that hold more than N. Running runs are never touched. Safe while the daemon runs: it works
in small batches that interleave with the daemon's writes. Freed space is reused by new
data; the file itself does not shrink.

Options:
  --older-than AGE          a number and a unit of minutes, hours, days or weeks:
                            90m, 12h, 30d, 2w; more than 0, at most 36500d
                            (default: the retention, --retention-days /
                            STATUSBOX_RETENTION_DAYS / [retention] days, 60d)
  --retention-days DAYS     the same in days
  --max-events-per-run N    events kept per run (STATUSBOX_MAX_EVENTS_PER_RUN,
                            [retention] max_events_per_run, default 10000)
  --db PATH                 database file (STATUSBOX_DB, [server] db, default
                            ./statusbox.db), created (and said so) when missing
  --config PATH             config file (STATUSBOX_CONFIG, default ./statusbox.toml)
`,
  options: {
    ...DB_OPTION,
    ...CONFIG_OPTION,
    ...RETENTION_OPTIONS,
    "older-than": { type: "string" },
  },
  async run(args, io) {
    let located;
    try {
      located = resolveDbPath(args);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr(`statusbox prune: ${error.message}\n`);
      return 2;
    }
    const { dbPath, config } = located;
    const policy = resolveRetention(args, config);
    policy.days = olderThan(args) ?? policy.days;

    const db = openDatabase(dbPath, { onCreate: announceNewDatabase(io) });
    const writes = new WriteQueue(db);
    try {
      const pruner = new Pruner({ db, writes, clock: systemClock, policy });
      const report = await pruner.prune();
      io.stdout(describeReport(db.filename, report, policy.days, policy.maxEventsPerRun));
      return 0;
    } catch (error) {
      // The daemon held the write lock for longer than the queue waits, or the disk failed.
      io.stderr(`statusbox prune: ${(error as Error).message}; what was removed stays removed\n`);
      return 1;
    } finally {
      await writes.close();
      db.close();
    }
  },
};

function olderThan(args: ParsedArgs): number | null {
  const text = stringOption(args, "older-than");
  if (text === undefined) return null;
  const days = parseAgeDays(text);
  if (days === null) {
    throw new UsageError(
      `--older-than must be a number and a unit of m, h, d or w (90m, 12h, 30d, 2w), ` +
        `not '${text}'`,
    );
  }
  if (!(days > 0) || days > MAX_AGE_DAYS) {
    throw new UsageError(
      `--older-than must be more than 0 and at most ${MAX_AGE_DAYS}d (100 years), not '${text}'`,
    );
  }
  return days;
}

/** What a person reads after a prune: one line per kind of removal. */
export function describeReport(
  path: string,
  report: PruneReport,
  days: number,
  maxEvents: number,
): string {
  const n = (value: number) => value.toLocaleString("en-US");
  const count = (value: number, noun: string) => `${n(value)} ${noun}${value === 1 ? "" : "s"}`;
  const before = new Date(report.cutoff).toISOString();
  const age = `finished more than ${describeDays(days)} ago (before ${before})`;
  const lines = [`Pruned ${path}:`];
  lines.push(
    report.runsDeleted > 0
      ? `  removed ${count(report.runsDeleted, "run")} ${age}, ` +
          `with ${count(report.eventsDeleted, "event")}`
      : `  no run ${age}`,
  );
  lines.push(
    report.eventsDropped > 0
      ? `  dropped ${count(report.eventsDropped, "oldest event")} ` +
          `from ${count(report.runsTrimmed, "run")} ` +
          `over ${n(maxEvents)} events`
      : `  no finished run over ${n(maxEvents)} events`,
  );
  if (report.alertsDeleted > 0) {
    lines.push(
      `  removed ${count(report.alertsDeleted, "alert")} settled before ${before}, ` +
        `with ${count(report.alertAttemptsDeleted, "delivery attempt")}`,
    );
  }
  if (report.checkpoint === "truncated") {
    lines.push("  checkpointed and truncated the write-ahead log");
  } else if (report.checkpoint === "deferred") {
    // The daemon's checkpoints, or the last connection's close, copy and cut it back later.
    lines.push(
      "  could not truncate the write-ahead log now: another connection was using it; " +
        "later checkpoints will",
    );
  }
  return `${lines.join("\n")}\n`;
}
