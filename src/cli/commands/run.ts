import { DEFAULT_URL } from "../../client/client.ts";
import type { Command } from "../command.ts";
import { JOB_SPEC_OPTIONS, jobSpecOf } from "../run/arguments.ts";
import { CONNECTION_HELP, CONNECTION_OPTIONS, clientFor } from "../run/connection.ts";
import { runWrapped } from "../run/wrapper.ts";

export const runCommand: Command = {
  path: ["run"],
  summary: "Run a command as a monitored run: its output becomes events",
  usage: `Usage: statusbox run --name NAME --timeout SECONDS [--version V] [options]
                     -- COMMAND [ARGS...]

Creates a run on the daemon, then runs COMMAND with the same stdin, environment and working
directory. Its stdout and stderr still reach the terminal byte for byte, and each line also
becomes an event of the run (with its stream), shipped in the background in batches. Lines
over 16 KiB are stored as several events; blank lines are not stored.

Exit code 0 completes the run; any other fails it with the exit code recorded, and the
command's last line on stderr as the run's end message (what alerts quote). A command
killed by a signal fails the run with the signal named. statusbox run exits with the
command's own code, or 128+N after signal N, as a shell does. SIGINT, SIGTERM and SIGHUP
sent to statusbox run are passed on to the command, and the run is marked cancelled.

If the daemon cannot be reached (at the start or later), or refuses the run, the command
runs all the same and its exit code passes through; one warning goes to stderr. A daemon
that does not answer holds the command up for 2 seconds at most: the run is reported if it
answers later, even after the command has ended (within 60 seconds). Requests are retried
with backoff; a repeated batch or end signal is stored once. Up to about 64 MiB of lines
wait in memory for a slow or absent daemon; later lines are not reported.

Options:
  --name NAME          the job's name, 1 to 64 characters (required)
  --timeout SECONDS    the run is marked timed out if the command has not ended by then
                       (above 0, at most 31622400: 366 days); the command itself is not
                       stopped (required)
  --version V          a version to record with the run
${CONNECTION_HELP}
  -h, --help           show this help

Example:
  statusbox run --name nightly-backup --timeout 3600 -- /usr/local/bin/backup.sh --full

The daemon defaults to ${DEFAULT_URL}.
`,
  options: { ...JOB_SPEC_OPTIONS, ...CONNECTION_OPTIONS },
  positionals: {
    min: 1,
    max: Infinity,
    missing: ["the COMMAND to run is missing: give it after '--' (-- COMMAND [ARGS...])"],
  },
  async run(args) {
    const job = jobSpecOf(args);
    const client = clientFor(args);
    return runWrapped({
      client,
      job,
      command: args.positionals,
      stdout: process.stdout,
      stderr: process.stderr,
    });
  },
};
