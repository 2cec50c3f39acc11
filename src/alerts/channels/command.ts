import type { AlertChannelOf } from "../channel-schemas.ts";
import { formatDuration } from "../duration.ts";
import { oneLine, type AlertPayload } from "../payload.ts";
import { DeliveryAborted, delivered, failed, redact, type DeliveryResult } from "./delivery.ts";
import { readTail } from "./output-tail.ts";

type CommandChannel = AlertChannelOf<"command">;

/** What a command inherits from the daemon's environment; nothing else (no API key). */
const INHERITED = ["PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ", "TMPDIR"];
/** After the time limit the command gets SIGTERM, then SIGKILL this much later. */
const KILL_GRACE_MS = 2000;
const STDERR_CHARS = 300;
/** What is kept of stderr while it is read: the error quotes only its last STDERR_CHARS. */
const STDERR_TAIL_BYTES = 4096;
/** How long to wait for the end of stderr after the program exited. */
const STDERR_WAIT_MS = 200;

/** The `STATUSBOX_*` variables a command gets: the alert and its run, one value each. */
export function commandEnvironment(payload: AlertPayload): Record<string, string> {
  const { run } = payload;
  // An environment variable cannot hold NUL, which a run's message or version may (stored as
  // sent): U+2400 (␀) stands in for it, or the program could never be started for this alert.
  const text = (value: string | number | null) =>
    value === null ? "" : String(value).replaceAll("\0", "\u2400");
  return {
    STATUSBOX_TRIGGER: payload.trigger,
    STATUSBOX_CHANNEL: payload.channel,
    STATUSBOX_SUMMARY: text(payload.summary),
    STATUSBOX_IDEMPOTENCY_KEY: payload.idempotencyKey,
    STATUSBOX_HELD_BACK: String(payload.heldBack),
    STATUSBOX_TEST: payload.test ? "1" : "0",
    STATUSBOX_RUN_ID: String(run.id),
    STATUSBOX_RUN_NAME: text(run.name),
    STATUSBOX_RUN_VERSION: text(run.version),
    STATUSBOX_RUN_STATUS: run.status,
    STATUSBOX_RUN_EXIT_CODE: text(run.exitCode),
    STATUSBOX_RUN_MESSAGE: text(run.message),
    STATUSBOX_RUN_CREATED_AT: text(run.createdAt),
    STATUSBOX_RUN_FINISHED_AT: text(run.finishedAt),
    STATUSBOX_RUN_DURATION_MS: text(run.durationMs),
  };
}

/**
 * Runs the channel's program with its argument list as given: no shell, so nothing in a
 * run's name or log is ever interpreted. The payload JSON is on stdin and the run's fields
 * in STATUSBOX_* variables. Exit 0 is delivered; another exit code, a program that cannot
 * be started, or one still running at the time limit is a failure to retry. The program
 * runs in its own process group, so that at the limit whatever it started is killed too.
 */
export async function sendCommand(
  channel: CommandChannel,
  payload: AlertPayload,
  signal: AbortSignal,
): Promise<DeliveryResult> {
  const secrets = Object.values(channel.env);
  let proc;
  try {
    proc = Bun.spawn(channel.command, {
      env: { ...inheritedEnvironment(), ...channel.env, ...commandEnvironment(payload) },
      stdin: new Blob([JSON.stringify(payload)]),
      stdout: "ignore",
      stderr: "pipe",
      detached: true,
    });
  } catch (error) {
    const reason = `cannot start ${channel.command[0]}: ${(error as Error).message}`;
    return failed(redact(reason, secrets));
  }

  let timedOut = false;
  const stop = () => {
    killGroup(proc.pid, "SIGTERM");
    setTimeout(() => killGroup(proc.pid, "SIGKILL"), KILL_GRACE_MS).unref();
  };
  const timer = setTimeout(() => {
    timedOut = true;
    stop();
  }, channel.timeout);
  signal.addEventListener("abort", stop, { once: true });

  const stderr = readTail(proc.stderr, STDERR_TAIL_BYTES);
  const code = await proc.exited;
  clearTimeout(timer);
  signal.removeEventListener("abort", stop);

  if (signal.aborted) throw new DeliveryAborted();
  if (timedOut) return failed(`still running after ${formatDuration(channel.timeout)}; killed`);
  if (code === 0) return delivered(0);
  const said = (await stderr.settled(STDERR_WAIT_MS)).trim();
  const tail = said ? `: ${redact(oneLine(said.slice(-STDERR_CHARS), STDERR_CHARS), secrets)}` : "";
  return failed(`exited with code ${code}${tail}`, code);
}

function inheritedEnvironment(): Record<string, string> {
  const pairs = INHERITED.flatMap((name) => {
    const value = process.env[name];
    return value === undefined ? [] : [[name, value]];
  });
  return Object.fromEntries(pairs);
}

/** Signals the program's whole process group; it may already be gone. */
function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already exited: nothing to kill.
  }
}
