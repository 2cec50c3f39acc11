import { constants } from "node:os";
import type { StatusBoxClient } from "../../client/client.ts";
import type { EventStream } from "../../client/types.ts";
import { clip, oneLine } from "../../text/terminal-safe.ts";
import type { JobSpec } from "./arguments.ts";
import { outcomeOf, signalNumber, type Outcome } from "./outcome.ts";
import { copyOutputs } from "./pipes.ts";
import { linesOf, reportEnd } from "./reporting.ts";
import { RunCreation } from "./run-creation.ts";
import { forwardSignals, type SignalForwarder } from "./signals.ts";
import { startCommand } from "./spawn.ts";

export interface WrapOptions {
  client: StatusBoxClient;
  job: JobSpec;
  /** The command and its arguments, as given after `--`. */
  command: string[];
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /**
   * How long, at most, the wrapper keeps reporting after the command has exited: one deadline
   * for every request after the exit (the creation's answer, the lines, the end signal).
   */
  flushTimeoutMs?: number;
  /** How long the command waits for the run to be created before it starts regardless. */
  startWaitMs?: number;
  /** How long the creation may go unanswered before one warning says so. */
  createPatienceMs?: number;
}

/**
 * Runs a command as a monitored run and answers the wrapper's exit code. The run is created,
 * then the command starts with the wrapper's stdin, environment and working directory; its
 * output reaches the terminal unchanged and each line also becomes an event, shipped in the
 * background. Monitoring never stands in the command's way: if the daemon cannot be reached
 * or refuses, the command runs all the same, its exit code passes through, and one warning
 * goes to stderr. A daemon slow to create the run holds the command up for 2 s at most; the
 * run is then reported as soon as it answers, even after the command has ended.
 */
export async function runWrapped(options: WrapOptions): Promise<number> {
  const warn = warnOnce(options.stderr);
  const signals = forwardSignals();
  const signalled = new Promise<void>((resolve) => signals.onSignal(resolve));
  carryOnWhenOutputCloses(options);
  try {
    const patienceMs = options.createPatienceMs ?? 10_000;
    const creation = new RunCreation(options.client, options.job, { warn, patienceMs });
    const lines = linesOf(options.client, creation, warn);

    // A daemon answers in milliseconds; a hung one must not hold up the job for long.
    const startWaitMs = options.startWaitMs ?? 2000;
    await creation.answerWithin(startWaitMs, signalled);
    const startedAt = signals.received ? null : Date.now();
    const outcome = signals.received
      ? cancelledBeforeStart(signals.received)
      : await execute(options, signals, lines.ship);

    // A signal once the command is over means "stop now": stop waiting and sending.
    const stop = new AbortController();
    signals.onSignal(() => {
      stop.abort();
      creation.stop();
      lines.shipper?.abandon();
    });
    // Stopped before it started, there is only a cancel to record: not worth a long wait.
    const waitMs = startedAt === null ? startWaitMs : (options.flushTimeoutMs ?? 60_000);
    const deadlineMs = Date.now() + waitMs;
    const id = await creation.answerWithin(deadlineMs - Date.now());
    if (id === undefined) {
      creation.stop();
      warn(`no answer from ${options.client.url} to the creation of the run; it is not reported`);
    }

    const shipper = lines.shipper;
    if (id && shipper) {
      const notes = lateNote(creation.answeredAt, startedAt);
      const end = { deadlineMs, stop: stop.signal, notes, warn };
      await reportEnd(options.client, id, shipper, outcome, end);
    }
    return outcome.exitCode;
  } finally {
    signals.dispose();
  }
}

async function execute(
  options: WrapOptions,
  signals: SignalForwarder,
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
  let lastError = "";
  const shipNoting = (stream: EventStream, line: string) => {
    if (stream === "stderr" && hasVisibleText(line)) lastError = line;
    ship(stream, line);
  };
  await Promise.all([copyOutputs(sources, shipNoting, child.exited), child.exited]);
  const outcome = outcomeOf({
    exitCode: child.exitCode,
    signal: signalName(child.signalCode),
    forwarded: signals.received,
  });
  return withReason(outcome, lastError);
}

/** How much of the command's last error line a failed run's end message keeps. */
const REASON_CHARACTERS = 200;

/**
 * A command that exits non-zero usually said why on stderr just before: its last line there
 * becomes the end message, which is what an alert's summary quotes ("failed after 12.3s
 * (exit code 2): disk full"). The whole output is in the run's events in any case.
 */
function withReason(outcome: Outcome, lastError: string): Outcome {
  if (outcome.signal !== "fail" || outcome.details.message !== undefined || lastError === "") {
    return outcome;
  }
  // It is a summary that alerts quote in mail subjects and chat: colours are dropped and
  // other controls written as escapes (\x1b), as on a terminal. The event keeps the bytes.
  const reason = clip(oneLine(lastError).trim(), REASON_CHARACTERS);
  // The daemon refuses an empty message, and the end would be lost with it.
  if (reason === "") return outcome;
  return { ...outcome, details: { ...outcome.details, message: reason } };
}

/**
 * Whether a line says anything once colours are dropped: tools often end with a line that
 * only resets them, which must not hide the line before it. (Escaped only when it holds an
 * escape: most lines do not, and stderr may be long.)
 */
function hasVisibleText(line: string): boolean {
  return (line.includes("\u001b") ? oneLine(line) : line).trim() !== "";
}

/** Stopped before the command started: it never runs. */
function cancelledBeforeStart(signal: string): Outcome {
  const exitCode = 128 + signalNumber(signal);
  const message = `cancelled by ${signal} before the command started`;
  return { signal: "cancel", details: { message, exitCode }, exitCode };
}

/** Why a command could not start, in a shell's words rather than the system call's. */
const START_FAILURES: Record<string, string> = {
  ENOENT: "command not found",
  EACCES: "permission denied (is it an executable file?)",
  ENOEXEC: "not an executable format",
  EISDIR: "is a folder",
};

/** A command that could not start: 127 when it was not found, 126 otherwise, as in sh. */
function notStarted(options: WrapOptions, error: unknown): Outcome {
  const code = String((error as { code?: unknown }).code);
  const exitCode = code === "ENOENT" ? 127 : 126;
  const reason = START_FAILURES[code] ?? (error as Error).message;
  options.stderr.write(`statusbox run: ${options.command[0]}: ${reason}\n`);
  const message = `could not start ${options.command[0]}: ${reason}`;
  return { signal: "fail", details: { message, exitCode }, exitCode };
}

/**
 * The run's times are the daemon's: one created after the command started would look
 * shorter than the command was, so its end message says by how much.
 */
function lateNote(answeredAt: number | null, startedAt: number | null): string[] {
  if (answeredAt === null || startedAt === null || answeredAt <= startedAt) return [];
  const seconds = ((answeredAt - startedAt) / 1000).toFixed(1);
  return [`the daemon created the run ${seconds} s after the command had started`];
}

function signalName(signal: string | number | null): string | null {
  if (typeof signal !== "number") return signal;
  const names = Object.entries(constants.signals) as [string, number][];
  return names.find(([, n]) => n === signal)?.[0] ?? `signal ${signal}`;
}

/**
 * A reader of our output that goes away (`| head`) is the command's business, as it would be
 * without the wrapper; the wrapper carries on, to end the run. For the rest of the process:
 * the error of a warning written as the wrapper ends arrives after it has returned, and must
 * not make the process exit 0 either (see main.ts).
 */
function carryOnWhenOutputCloses(options: WrapOptions): void {
  const ignore = () => {};
  options.stdout.on("error", ignore);
  options.stderr.on("error", ignore);
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
