import { STATUS_OF_SIGNAL, type EndSignal, type RunStatus } from "./run.ts";

/**
 * What an end signal does to a run in a given state. The rules:
 * - a running run takes the signal's state;
 * - the same signal again changes nothing and is answered as a success, so that clients
 *   can retry (`curl --retry`) safely;
 * - any other signal on a finished run is refused, but recorded as a `rejected` event so
 *   that nothing a client said is lost. A complete or fail after a timeout also records
 *   when the job really ended.
 */
export type EndDecision =
  | { kind: "finish"; status: RunStatus }
  | { kind: "repeat" }
  | { kind: "reject"; current: RunStatus; recordLateEnd: boolean };

export function decideEndSignal(current: RunStatus, signal: EndSignal): EndDecision {
  const target = STATUS_OF_SIGNAL[signal];
  if (current === "running") return { kind: "finish", status: target };
  if (current === target) return { kind: "repeat" };

  const recordLateEnd = current === "timed_out" && signal !== "cancel";
  return { kind: "reject", current, recordLateEnd };
}
