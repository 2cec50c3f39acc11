import type { Database } from "bun:sqlite";
import type { Clock } from "../domain/clock.ts";
import type { RunListener, WriteCommitter } from "../domain/ports.ts";
import type { Logger } from "../log/logger.ts";
import type { AlertChannel } from "./config.ts";
import { AlertDispatcher, type DispatcherOptions } from "./dispatcher.ts";
import { AlertEnqueuer } from "./enqueuer.ts";
import { OutboxStore } from "./outbox-store.ts";

export interface Alerts {
  /** Register on the RunService before recovery, so start-up timeouts alert too. */
  listener: RunListener;
  /** Start after recovery; stop before the write queue closes. */
  dispatcher: AlertDispatcher;
}

/**
 * Wires the alerts of a daemon: the enqueuer that writes outbox rows inside each state
 * change's transaction, and the dispatcher that delivers them, woken by each new alert.
 * The dispatcher runs even with no channels, to settle alerts left for removed channels.
 */
export function createAlerts(options: {
  db: Database;
  writes: WriteCommitter;
  channels: readonly AlertChannel[];
  clock: Clock;
  logger: Logger;
  onRecorded?: DispatcherOptions["onRecorded"];
}): Alerts {
  const store = new OutboxStore(options.db);
  const dispatcher = new AlertDispatcher({ ...options, store });
  const listener = new AlertEnqueuer({
    store,
    channels: options.channels,
    clock: options.clock,
    onEnqueued: () => dispatcher.wake(),
  });
  return { listener, dispatcher };
}
