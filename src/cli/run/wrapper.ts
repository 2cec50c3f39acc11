import { constants } from "node:os";
import type { StatusBoxClient } from "../../client/client.ts";
import { StatusBoxApiError } from "../../client/errors.ts";
import type { EventStream } from "../../client/types.ts";
import type { JobSpec } from "./arguments.ts";
import { describeClientError } from "./connection.ts";
import { outcomeOf, signalNumber, type Outcome } from "./outcome.ts";
import { copyOutputs } from "./pipes.ts";
import { Shipper } from "./shipper.ts";
import { forwardSignals } from "./signals.ts";
import { startCommand } from "./spawn.ts";

export interface WrapOptions {
  client: StatusBoxClient;
  job: JobSpec;
  /** The command and its arguments, as given after `--`. */
  command: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** How long, at most, the wrapper keeps shipping lines after the command has exited. */
  flushTimeoutMs?: number;
}

/** Retries of the create: few, since the command waits for it. */
const CREATE_RETRIES = 2;

/** How much output may wait in memory for the daemon before new lines are dropped. */
const OVERFLOW_MIB = 64;

/**
 * Runs a command as a monitored run and answers the wrapper's exit code. The run is created,
 * then the command starts with the wrapper's stdin, environment and working directory; its
 * output reaches the terminal unchanged and each line also becomes an event, shipped in the
 * background. Monitoring never stands in the command's way: if the daemon cannot be reached
 * or refuses, the command runs all the same, its exit code passes through, and one warning
 * goes to stderr.
 */
export async function runWrapped(options: WrapOptions): Promise<number> {
  const { client } = options;
  const warn = warnOnce(options.stderr);
  const signals = forwardSignals();
  const release = carryOnWhenOutputCloses(options);
  try {
    const runId = await createRun(client, options.job, warn);
    const shipper = runId === null ? null : shipperFor(client, runId, warn);
    const ship = (stream: EventStream, line: string) => {
      if (line !== "") shipper?.add({ message: line, stream });
    };

    let outcome: Outcome;
    if (signals.received) {
      // Stopped before the command started: it never runs.
      const exitCode = 128 + signalNumber(signals.received);
      const message = `cancelled by ${signals.received} before the command started`;
      outcome = { signal: "cancel", details: { message, exitCode }, exitCode };
    } else {
      outcome = await execute(options, signals, ship);
    }

    // A signal once the command is over means "stop now": stop sending what is left.
    signals.onSignal(() => shipper?.abandon());
    if (runId !== null && shipper) await report(options, runId, shipper, outcome, warn);
    return outcome.exitCode;
  } finally {
    signals.dispose();
    release();
  }
}

async function execute(
  options: WrapOptions,
  signals: ReturnType<typeof forwardSignals>,
  ship: (stream: EventStream, line: string) => void,
): Promise<Outcome> {
  let started;
  try {
    started = startCommand(options.command);
  } catch (error) {
    return notStarted(options, error);
  }
  const { child, output } = started;
  signals.attach(child);

  const sinks = { stdout: options.stdout, stderr: options.stderr };
  const sources = (["stdout", "stderr"] as const).map((stream) => ({
    stream,
    sink: sinks[stream],
    ...output[stream],
  }));
  await Promise.all([copyOutputs(sources, ship, child.exited), child.exited]);
  return outcomeOf({
    exitCode: child.exitCode,
    signal: signalName(child.signalCode),
    forwarded: signals.received,
  });
}

/** A command that could not start: 127 when it was not found, 126 otherwise, as in sh. */
function notStarted(options: WrapOptions, error: unknown): Outcome {
  const notFound = (error as { code?: unknown }).code === "ENOENT";
  const exitCode = notFound ? 127 : 126;
  const reason = notFound ? "command not found" : (error as Error).message;
  options.stderr.write(`statusbox run: ${options.command[0]}: ${reason}\n`);
  const message = `could not start ${options.command[0]}: ${reason}`;
  return { signal: "fail", details: { message, exitCode }, exitCode };
}

async function createRun(
  client: StatusBoxClient,
  job: JobSpec,
  warn: (text: string) => void,
): Promise<number | null> {
  try {
    return await client.create(job, { retries: CREATE_RETRIES });
  } catch (error) {
    const refused = error instanceof StatusBoxApiError ? "the daemon refused the run: " : "";
    warn(`${refused}${describe(error)}; the command runs without being reported`);
    return null;
  }
}

function shipperFor(client: StatusBoxClient, runId: number, warn: (text: string) => void) {
  const shipper: Shipper = new Shipper({
    send: async (batch, key, signal) => {
      // Once the daemon is known to be away, one quick try per round is enough.
      const retries = shipper.isHealthy ? undefined : 0;
      await client.sendBatch(runId, batch, { idempotencyKey: key, retries, signal });
    },
    onFailure: (error) =>
      warn(`${describe(error)}; the command goes on, its output may not all be reported`),
    onOverflow: () =>
      warn(
        `the daemon is not keeping up: ${OVERFLOW_MIB} MiB of output lines are waiting, and ` +
          "lines beyond that are not reported (the command goes on; the end message counts them)",
      ),
    maxPendingBytes: OVERFLOW_MIB * 1024 * 1024,
  });
  return shipper;
}

/** Ships what is left, then sends the end signal; its failures are warnings, never fatal. */
async function report(
  options: WrapOptions,
  runId: number,
  shipper: Shipper,
  outcome: Outcome,
  warn: (text: string) => void,
): Promise<void> {
  const { lost } = await shipper.close(Date.now() + (options.flushTimeoutMs ?? 60_000));
  const details = { ...outcome.details };
  if (lost > 0) {
    const note = `${lost} output line${lost === 1 ? " was" : "s were"} not reported`;
    details.message = details.message ? `${details.message}; ${note}` : note;
  }

  const retries = shipper.isHealthy ? undefined : 1;
  try {
    await options.client.end(runId, outcome.signal, details, { retries });
  } catch (error) {
    if (error instanceof StatusBoxApiError && error.status === 409) {
      const status = error.jobStatus?.replace("_", " ") ?? "finished";
      warn(`run ${runId} was already ${status}; its end was recorded`);
    } else {
      warn(`could not report the end of run ${runId}: ${describe(error)}`);
    }
  }
}

function signalName(signal: string | number | null): string | null {
  if (typeof signal !== "number") return signal;
  const names = Object.entries(constants.signals) as [string, number][];
  return names.find(([, n]) => n === signal)?.[0] ?? `signal ${signal}`;
}

function describe(error: unknown): string {
  const sentence = describeClientError(error);
  if (sentence === null) throw error;
  return sentence;
}

/**
 * A reader of our output that goes away (`| head`) is the command's business, as it would be
 * without the wrapper; the wrapper carries on, to end the run. Answers the undoing.
 */
function carryOnWhenOutputCloses(options: WrapOptions): () => void {
  const ignore = () => {};
  options.stdout.on("error", ignore);
  options.stderr.on("error", ignore);
  return () => {
    options.stdout.off("error", ignore);
    options.stderr.off("error", ignore);
  };
}

/** The wrapper's own voice on stderr: one warning at most, however many things go wrong. */
function warnOnce(stderr: NodeJS.WritableStream): (text: string) => void {
  let warned = false;
  return (text) => {
    if (warned) return;
    warned = true;
    stderr.write(`statusbox run: ${text}\n`);
  };
}
