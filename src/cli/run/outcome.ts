import { constants } from "node:os";
import type { EndDetails, EndSignal } from "../../client/types.ts";

/** How the command ended, as the wrapper saw it. */
export interface CommandEnd {
  /** The exit code, or null when a signal killed it. */
  exitCode: number | null;
  /** The signal that killed it (`SIGKILL`), or null. */
  signal: string | null;
  /** A signal the wrapper itself received and passed on, if any. */
  forwarded: string | null;
}

export interface Outcome {
  signal: EndSignal;
  details: EndDetails;
  /** What the wrapper exits with: the command's own code, or 128+N as a shell would. */
  exitCode: number;
}

/** The number of a signal by name (SIGTERM is 15), or 0 for an unknown name. */
export const signalNumber = (name: string): number =>
  (constants.signals as Record<string, number>)[name] ?? 0;

/**
 * Decides the end signal of the run and the wrapper's exit code:
 * - a signal sent to the wrapper (and passed on) cancels the run, whatever the command did;
 * - exit code 0 completes it, any other fails it with that code;
 * - killed by a signal fails it with the signal named, with exit code 128+N.
 */
export function outcomeOf(end: CommandEnd): Outcome {
  const exitCode = end.signal !== null ? 128 + signalNumber(end.signal) : (end.exitCode ?? 1);
  if (end.forwarded !== null) {
    const how =
      end.signal !== null ? `was killed by ${end.signal}` : `exited with code ${exitCode}`;
    const message = `cancelled by ${end.forwarded} sent to statusbox run; the command ${how}`;
    return { signal: "cancel", details: { message, exitCode }, exitCode };
  }
  if (end.signal !== null) {
    const message = `killed by ${end.signal}`;
    return { signal: "fail", details: { message, exitCode }, exitCode };
  }
  if (exitCode === 0) return { signal: "complete", details: { exitCode }, exitCode };
  return { signal: "fail", details: { exitCode }, exitCode };
}
