import type { Logger } from "../log/logger.ts";
import type { Pruner, PruneReport } from "./pruner.ts";

export interface RetentionLoopOptions {
  /** Time between the end of one pass and the start of the next. */
  intervalMs?: number;
  /** Time from start to the first pass: soon, so that a restarted daemon catches up. */
  firstDelayMs?: number;
}

/**
 * Runs the pruner in the background, one pass at a time. A failed pass (the database busy
 * or full) is logged and tried again at the next interval; `stop` asks a pass in progress
 * to finish its current batch and waits for it.
 */
export class RetentionLoop {
  /** What every pass since start removed: the metrics read it. */
  readonly totals = {
    passes: 0,
    runsDeleted: 0,
    eventsDeleted: 0,
    eventsDropped: 0,
    alertsDeleted: 0,
  };
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running: Promise<PruneReport | null> | null = null;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly firstDelayMs: number;

  constructor(
    private readonly pruner: Pick<Pruner, "prune">,
    private readonly logger: Logger,
    options: RetentionLoopOptions = {},
  ) {
    this.intervalMs = options.intervalMs ?? 10 * 60 * 1000;
    this.firstDelayMs = options.firstDelayMs ?? 30 * 1000;
  }

  start(): void {
    this.stopped = false;
    this.arm(this.firstDelayMs);
  }

  /** Runs a pass now (or joins the one in progress); answers null when it failed. */
  runNow(): Promise<PruneReport | null> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private arm(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.runNow().then(() => this.arm(this.intervalMs));
    }, delayMs);
  }

  private async pass(): Promise<PruneReport | null> {
    const started = performance.now();
    try {
      const report = await this.pruner.prune(() => this.stopped);
      this.totals.passes++;
      this.totals.runsDeleted += report.runsDeleted;
      this.totals.eventsDeleted += report.eventsDeleted;
      this.totals.eventsDropped += report.eventsDropped;
      this.totals.alertsDeleted += report.alertsDeleted;
      const removed =
        report.runsDeleted + report.eventsDeleted + report.eventsDropped + report.alertsDeleted;
      if (removed > 0) {
        this.logger.info("retention pruned", {
          runs: report.runsDeleted,
          events: report.eventsDeleted,
          events_dropped: report.eventsDropped,
          runs_trimmed: report.runsTrimmed,
          alerts: report.alertsDeleted,
          alert_attempts: report.alertAttemptsDeleted,
          checkpoint: report.checkpoint,
          ms: Math.round(performance.now() - started),
        });
      }
      return report;
    } catch (error) {
      this.logger.warn("retention pass failed; trying again later", { error: String(error) });
      return null;
    }
  }
}
