import type { StatusBoxClient } from "../../client/client.ts";
import { StatusBoxApiError } from "../../client/errors.ts";
import type { EventStream } from "../../client/types.ts";
import { oneLine } from "../../text/terminal-safe.ts";
import { describeClientError } from "./connection.ts";
import type { Outcome } from "./outcome.ts";
import type { RunCreation } from "./run-creation.ts";
import { Shipper } from "./shipper.ts";

type Warn = (text: string) => void;

/** How much output may wait in memory for the daemon before new lines are dropped. */
const OVERFLOW_MIB = 64;

/**
 * The lines of a run being created: they queue from the start, are sent once the daemon
 * answers with the run's id, and are dropped if it refuses (there is no run to report to).
 */
export function linesOf(client: StatusBoxClient, creation: RunCreation, warn: Warn) {
  let runId = 0;
  let shipper: Shipper | null = shipperFor(client, () => runId, warn);
  void creation.answer.then((id) => {
    if (id === null) {
      shipper = null;
      return;
    }
    runId = id;
    shipper?.release();
  });
  return {
    ship: (stream: EventStream, line: string) => {
      if (line !== "") shipper?.add({ message: line, stream });
    },
    get shipper() {
      return shipper;
    },
  };
}

/** A shipper that holds its lines until `release`, then sends them to the run `runId()`. */
function shipperFor(client: StatusBoxClient, runId: () => number, warn: Warn): Shipper {
  const shipper: Shipper = new Shipper({
    send: async (batch, key, signal) => {
      // Once the daemon is known to be away, one quick try per round is enough.
      const retries = shipper.isHealthy ? undefined : 0;
      await client.sendBatch(runId(), batch, { idempotencyKey: key, retries, signal });
    },
    onFailure: (error) =>
      warn(`${describe(error)}; the command goes on, its output may not all be reported`),
    onOverflow: () =>
      warn(
        `the daemon is not keeping up: ${OVERFLOW_MIB} MiB of output lines are waiting, and ` +
          "lines beyond that are not reported (the command goes on; the end message counts them)",
      ),
    maxPendingBytes: OVERFLOW_MIB * 1024 * 1024,
    held: true,
  });
  return shipper;
}

/**
 * Ships what is left, then sends the end signal, its message completed by `notes` and by the
 * count of lines never stored. Both share one deadline, `deadlineMs` since the epoch: each
 * attempt of the end signal may take the client's attempt timeout or the time left, whichever
 * is shorter, and none starts after it. After `stop` (Ctrl-C), lines are no longer sent but
 * the end still is, for STOP_GRACE_MS at most: the run must not stay `running` until its
 * timeout because its command was interrupted. Its failures are warnings, never fatal.
 */
export async function reportEnd(
  client: StatusBoxClient,
  runId: number,
  shipper: Shipper,
  outcome: Outcome,
  end: { deadlineMs: number; stop: AbortSignal; notes: string[]; warn: Warn },
): Promise<void> {
  const { lost } = await shipper.close(end.deadlineMs);
  const notes = [...end.notes];
  if (lost > 0) notes.push(`${lost} output line${lost === 1 ? " was" : "s were"} not reported`);
  const details = { ...outcome.details };
  if (notes.length > 0) {
    details.message = [...(details.message ? [details.message] : []), ...notes].join("; ");
  }

  const leftMs = end.deadlineMs - Date.now();
  if (leftMs <= 0) {
    end.warn(`could not report the end of run ${runId}: the wait after the command is over`);
    return;
  }
  const retries = shipper.isHealthy ? undefined : 1;
  const signal = AbortSignal.any([AbortSignal.timeout(leftMs), graceAfter(end.stop)]);
  try {
    await client.end(runId, outcome.signal, details, { retries, signal });
  } catch (error) {
    if (error instanceof StatusBoxApiError && error.status === 409) {
      const status = oneLine(error.jobStatus?.replace("_", " ") ?? "finished");
      end.warn(`run ${runId} was already ${status}; its end was recorded`);
    } else {
      end.warn(`could not report the end of run ${runId}: ${describe(error)}`);
    }
  }
}

/** How long the end signal may still take once a signal said "stop now". */
export const STOP_GRACE_MS = 2000;

/** Aborts STOP_GRACE_MS after `stop` does (at once counted from now, if it already has). */
function graceAfter(stop: AbortSignal): AbortSignal {
  const grace = new AbortController();
  const start = () => setTimeout(() => grace.abort(), STOP_GRACE_MS).unref();
  if (stop.aborted) start();
  else stop.addEventListener("abort", start, { once: true });
  return grace.signal;
}

function describe(error: unknown): string {
  const sentence = describeClientError(error);
  if (sentence === null) throw error;
  return sentence;
}
