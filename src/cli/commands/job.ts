import type { StatusBoxClient } from "../../client/client.ts";
import { StatusBoxApiError } from "../../client/errors.ts";
import type { EndSignal } from "../../client/types.ts";
import { terminalSafeJson } from "../../text/terminal-safe.ts";
import { stringOption, UsageError, type CliIO, type Command, type ParsedArgs } from "../command.ts";
import { exitCodeOf, JOB_SPEC_OPTIONS, jobIdOf, jobSpecOf } from "../run/arguments.ts";
import {
  CONNECTION_HELP,
  CONNECTION_OPTIONS,
  clientFor,
  describeClientError,
} from "../run/connection.ts";
import { LineSplitter } from "../run/line-splitter.ts";
import { Shipper } from "../run/shipper.ts";
import { formatRun } from "../run/show-run.ts";

const EXIT_NOTE = `Exits 0 when the daemon accepted, 1 with its message on stderr when it
answered an error or could not be reached, 2 for bad arguments.`;

/** Runs one client call for a job command: a daemon's error is a message and exit code 1. */
async function talk(
  name: string,
  args: ParsedArgs,
  io: CliIO,
  work: (client: StatusBoxClient) => Promise<void>,
) {
  const client = clientFor(args);
  try {
    await work(client);
    return 0;
  } catch (error) {
    const sentence = describeClientError(error, { addressHint: true });
    if (sentence === null) throw error;
    io.stderr(`statusbox job ${name}: ${sentence}\n`);
    return 1;
  }
}

export const jobStartCommand: Command = {
  path: ["job", "start"],
  summary: "Create a run and print its id alone (for shell scripts)",
  usage: `Usage: statusbox job start --name NAME --timeout SECONDS [--version V] [options]

Creates a run and prints its id alone on stdout:
  ID=$(statusbox job start --name backup --timeout 600)

Options:
  --name NAME          the job's name, 1 to 64 characters (required)
  --timeout SECONDS    the run is marked timed out unless it ends by then: above 0, at
                       most 31622400 (366 days) (required)
  --version V          a version to record with the run
${CONNECTION_HELP}

${EXIT_NOTE}
`,
  options: { ...JOB_SPEC_OPTIONS, ...CONNECTION_OPTIONS },
  async run(args, io) {
    const job = jobSpecOf(args);
    return talk("start", args, io, async (client) => {
      io.stdout(`${await client.create(job)}\n`);
    });
  },
};

export const jobLogCommand: Command = {
  path: ["job", "log"],
  summary: "Log a message on a run; '-' logs each line of stdin",
  usage: `Usage: statusbox job log ID MESSAGE [options]
       statusbox job log ID - [options]

Logs MESSAGE as an event of run ID. With '-', each line of stdin becomes an event, in
order, sent in batches while the input arrives: some-command 2>&1 | statusbox job log "$ID" -
A message over 16 KiB is stored as several events, never cut.

Options:
${CONNECTION_HELP}

${EXIT_NOTE}
`,
  options: { ...CONNECTION_OPTIONS },
  positionals: {
    min: 2,
    max: 2,
    missing: ["the ID of the run is missing", "the MESSAGE to log is missing ('-' for stdin)"],
  },
  async run(args, io) {
    const id = jobIdOf(args.positionals[0]!);
    const message = args.positionals[1]!;
    if (message === "") throw new UsageError("MESSAGE must not be empty");
    return talk("log", args, io, async (client) => {
      return message === "-" ? logStdin(client, id) : client.log(id, message);
    });
  },
};

/**
 * Logs stdin line by line as it arrives, in batches, through the wrapper's shipper: a long
 * pipeline is reported while it runs, in bounded memory. An error answer (a wrong id, a
 * revoked key) stops it at once; a daemon away is retried until stdin ends.
 */
async function logStdin(client: StatusBoxClient, id: number): Promise<void> {
  let failure: unknown = null;
  const shipper = new Shipper({
    send: async (batch, key, signal) => {
      await client.sendBatch(id, batch, { idempotencyKey: key, signal });
    },
    onFailure: (error) => (failure = error),
  });
  const splitter = new LineSplitter((line) => {
    if (line !== "") shipper.add({ message: line, stream: null });
  });
  for await (const chunk of Bun.stdin.stream()) {
    splitter.push(chunk);
    if (failure instanceof StatusBoxApiError && failure.status < 500) break;
  }
  splitter.end();
  const { lost } = await shipper.close(Date.now() + 60_000);
  if (lost > 0 && failure !== null) throw failure;
}

function endCommand(signal: EndSignal, state: string): Command {
  return {
    path: ["job", signal],
    summary: `Mark a run ${state}`,
    usage: `Usage: statusbox job ${signal} ID [--message M] [--exit-code N] [options]

Marks run ID ${state}. Sending the same end again is harmless; a different end on a
finished run is refused by the daemon (exit 1) and recorded on the run.

Options:
  --message M          a message to record with the end
  --exit-code N        the job's exit code, 0 to 255
${CONNECTION_HELP}

${EXIT_NOTE}
`,
    options: {
      ...CONNECTION_OPTIONS,
      message: { type: "string" },
      "exit-code": { type: "string" },
    },
    positionals: { min: 1, max: 1, missing: ["the ID of the run is missing"] },
    async run(args, io) {
      const id = jobIdOf(args.positionals[0]!);
      const exitCode = exitCodeOf(args);
      const message = stringOption(args, "message");
      if (message === "") throw new UsageError("--message must not be empty");
      return talk(signal, args, io, (client) => client.end(id, signal, { message, exitCode }));
    },
  };
}

export const jobCompleteCommand = endCommand("complete", "completed");
export const jobFailCommand = endCommand("fail", "failed");
export const jobCancelCommand = endCommand("cancel", "cancelled");

export const jobShowCommand: Command = {
  path: ["job", "show"],
  summary: "Print a run and its events",
  usage: `Usage: statusbox job show ID [--json] [options]

Prints run ID, then all its events, oldest first, each on one line: line breaks show as \\n,
and control characters as escapes such as \\x1b. --json prints {"job": ..., "events": [...]}
in the API's own shapes.

Options:
  --json               print JSON instead of text
${CONNECTION_HELP}

${EXIT_NOTE}
`,
  options: { ...CONNECTION_OPTIONS, json: { type: "boolean" } },
  positionals: { min: 1, max: 1, missing: ["the ID of the run is missing"] },
  async run(args, io) {
    const id = jobIdOf(args.positionals[0]!);
    return talk("show", args, io, async (client) => {
      const job = await client.get(id);
      const events = await client.allEvents(id);
      if (args.values.json === true) io.stdout(`${terminalSafeJson({ job, events })}\n`);
      else io.stdout(formatRun(job, events));
    });
  },
};
