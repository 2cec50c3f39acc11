import type { Database } from "bun:sqlite";
import type { Clock } from "../domain/clock.ts";
import type { Logger } from "../log/logger.ts";
import type { DaemonMetrics } from "../metrics/daemon-metrics.ts";
import type { WriteQueue } from "../storage/write-queue.ts";
import { DEFAULT_POLICY, type RetentionPolicy } from "./policy.ts";
import { Pruner } from "./pruner.ts";
import { RetentionLoop, type RetentionLoopOptions } from "./retention-loop.ts";

/** The daemon's retention: a pruner on its write queue, run in the background from now. */
export function startRetention(
  db: Database,
  writes: WriteQueue,
  clock: Clock,
  logger: Logger,
  metrics: DaemonMetrics,
  options: (RetentionPolicy & RetentionLoopOptions) | undefined,
): RetentionLoop {
  const policy = { ...DEFAULT_POLICY, ...options };
  const onEventsRemoved = (n: number) => metrics.storedEvents.removed(n);
  const pruner = new Pruner({ db, writes, clock, policy, onEventsRemoved });
  const loop = new RetentionLoop(pruner, logger, options);
  loop.start();
  return loop;
}
