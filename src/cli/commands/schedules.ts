import type { StatusBoxClient } from "../../client/client.ts";
import type { Schedule, ScheduleFields } from "../../client/types.ts";
import { stringOption, UsageError, type CliIO, type Command, type ParsedArgs } from "../command.ts";
import { cronFieldsProblem } from "../../schedules/cron-fields.ts";
import { oneLine } from "../../text/terminal-safe.ts";
import { formatTable } from "../format-table.ts";
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  clientFor,
  describeClientError,
} from "../run/connection.ts";

const EXIT_NOTE = `Exits 0 when the daemon accepted, 1 with its message on stderr when it
answered an error or could not be reached, 2 for bad arguments.`;

/** One client call for a schedules command: a daemon's error is a message and exit code 1. */
async function talk(
  name: string,
  args: ParsedArgs,
  io: CliIO,
  work: (client: StatusBoxClient) => Promise<void>,
): Promise<number> {
  const client = clientFor(args, { retry: { retries: 1 } });
  try {
    await work(client);
    return 0;
  } catch (error) {
    const sentence = describeClientError(error, { addressHint: true });
    if (sentence === null) throw error;
    io.stderr(`statusbox schedules ${name}: ${sentence}\n`);
    return 1;
  }
}

/** "cron 0 3 * * * (Europe/Berlin)" or "every 1h". */
export const describeSchedule = (s: Pick<Schedule, "cron" | "tz" | "every">): string =>
  s.cron !== null ? `cron ${s.cron} (${s.tz})` : `every ${s.every}`;

export const schedulesListCommand: Command = {
  path: ["schedules", "list"],
  summary: "List the schedules of job names",
  usage: `Usage: statusbox schedules list [--json] [options]

Lists every schedule: the job name, when runs are expected, the grace, the next expected
time, and where it was declared (api, or config for the daemon's config file).

Options:
  --json               print the API's JSON ({"schedules": [...]})
${CONNECTION_HELP}

${EXIT_NOTE}
`,
  options: { ...CONNECTION_OPTIONS, json: { type: "boolean" } },
  async run(args, io) {
    return talk("list", args, io, async (client) => {
      const schedules = await client.schedules();
      if (args.values.json === true) {
        io.stdout(`${JSON.stringify({ schedules }, null, 2)}\n`);
        return;
      }
      // Names and expressions come from clients: escaped like everything else we print.
      const rows = schedules.map((s) => [
        oneLine(s.name),
        oneLine(describeSchedule(s)),
        s.grace,
        s.nextExpectedAt,
        s.source,
      ]);
      io.stdout(formatTable(["NAME", "EXPECTED", "GRACE", "NEXT", "SOURCE"], rows));
    });
  },
};

export const schedulesSetCommand: Command = {
  path: ["schedules", "set"],
  summary: "Expect runs of a job name, by cron expression or period",
  usage: `Usage: statusbox schedules set NAME --cron EXPR [--tz ZONE] [--grace DURATION] [options]
       statusbox schedules set NAME --every DURATION [--grace DURATION] [options]

Creates or replaces the schedule of job name NAME. When no run of NAME starts between one
expected time and the next one's grace, the daemon records a run with status 'missed'.

Options:
  --cron EXPR          a cron expression, 5 fields (or 6 with seconds first): "0 3 * * *"
  --tz ZONE            the IANA time zone of --cron (default UTC): Europe/Berlin
  --every DURATION     a fixed period counted from the last run: 30s, 5m, 1h, 1d, 1h30m
  --grace DURATION     how late a run may start and still count (default 5m)
${CONNECTION_HELP}

Prints the schedule as stored, with its next expected time.
${EXIT_NOTE}
`,
  options: {
    ...CONNECTION_OPTIONS,
    cron: { type: "string" },
    tz: { type: "string" },
    every: { type: "string" },
    grace: { type: "string" },
  },
  positionals: { min: 1, max: 1, missing: ["the NAME of the schedule is missing"] },
  async run(args, io) {
    const name = args.positionals[0]!;
    if (name === "") throw new UsageError("NAME must not be empty");
    const fields = fieldsOf(args);
    return talk("set", args, io, async (client) => {
      const schedule = await client.setSchedule(name, fields);
      io.stdout(`${schedule.name}: ${describeSchedule(schedule)}, grace ${schedule.grace}\n`);
      io.stdout(
        `next expected at ${schedule.nextExpectedAt}, missed after ${schedule.missedAfter}\n`,
      );
    });
  },
};

export const schedulesDeleteCommand: Command = {
  path: ["schedules", "delete"],
  summary: "Stop expecting runs of a job name",
  usage: `Usage: statusbox schedules delete NAME [options]

Removes the schedule of job name NAME; its missed runs stay. A schedule from the daemon's
config file is refused: remove it there.

Options:
${CONNECTION_HELP}

${EXIT_NOTE}
`,
  options: { ...CONNECTION_OPTIONS },
  positionals: { min: 1, max: 1, missing: ["the NAME of the schedule is missing"] },
  async run(args, io) {
    const name = args.positionals[0]!;
    return talk("delete", args, io, async (client) => {
      await client.deleteSchedule(name);
      io.stdout(`Removed the schedule of ${name}.\n`);
    });
  },
};

/** The flags as API fields; cron or every, checked here so the mistake names the flag. */
function fieldsOf(args: ParsedArgs): ScheduleFields {
  const cron = stringOption(args, "cron");
  const every = stringOption(args, "every");
  if (cron === undefined && every === undefined)
    throw new UsageError("--cron or --every is required");
  if (cron !== undefined && every !== undefined) {
    throw new UsageError("--cron and --every exclude each other");
  }
  const tz = stringOption(args, "tz");
  if (tz !== undefined && cron === undefined) throw new UsageError("--tz goes with --cron only");
  const cronProblem = cron === undefined ? null : cronFieldsProblem(cron);
  if (cronProblem !== null) throw new UsageError(`--cron ${cronProblem}`);
  const fields: ScheduleFields = {};
  if (cron !== undefined) fields.cron = cron;
  if (every !== undefined) fields.every = every;
  if (tz !== undefined) fields.tz = tz;
  const grace = stringOption(args, "grace");
  if (grace !== undefined) fields.grace = grace;
  return fields;
}

export const SCHEDULE_COMMANDS = [
  schedulesListCommand,
  schedulesSetCommand,
  schedulesDeleteCommand,
];
