import type { Clock } from "../domain/clock.ts";
import type { WriteCommitter } from "../domain/ports.ts";
import type { Logger } from "../log/logger.ts";
import { FIRST_RETRY_MS, nextAttemptAt } from "./backoff.ts";
import { deliver as deliverOn } from "./channels/index.ts";
import { DeliveryAborted, permanentFailure, type DeliveryResult } from "./channels/delivery.ts";
import type { AlertChannel } from "./config.ts";
import { channelRemovedError } from "./failing-channels.ts";
import type { AttemptRecord, OutboxRow, OutboxStore } from "./outbox-store.ts";
import type { AlertPayload } from "./payload.ts";

export interface DispatcherOptions {
  store: OutboxStore;
  /** Where attempts are recorded: the daemon's write queue, so they join its group commit. */
  writes: WriteCommitter;
  channels: readonly AlertChannel[];
  clock: Clock;
  logger: Logger;
  /**
   * The longest the loop sleeps, even with nothing due: a safety net, since the loop wakes
   * at each next attempt's due time and at each new alert anyway.
   */
  pollMs?: number;
  /**
   * The most deliveries in flight at once, all channels together. By default each channel
   * has its own slots (per channel, times the channels, one more for removed channels), so
   * that hanging channels, however many, never hold a slot another channel needs.
   */
  maxInFlight?: number;
  /** The most deliveries in flight at once on one channel (4). */
  maxInFlightPerChannel?: number;
  /** For the backoff's jitter; tests pass `() => 0`. */
  random?: () => number;
  deliver?: typeof deliverOn;
  /** Told of each attempt once it is recorded: the deliveries counter of the metrics. */
  onRecorded?: (attempt: AttemptRecord) => void;
}

/**
 * Delivers the outbox in the background, never on a request's path. Each `step` picks the
 * pending alerts that are due and not already in flight, as many as the limits in flight
 * allow (in all, and per channel), delivers them concurrently, and records every attempt
 * with the outbox row's next state in one write: delivered, retried later with exponential
 * backoff, or failed (permanently, or after 24 hours of trying).
 * Tests call `step` directly with a ManualClock; `start` runs it on a timer set to the
 * earliest due attempt, so a retry goes out when its backoff says, not at the next poll.
 */
export class AlertDispatcher {
  private readonly channels: Map<string, AlertChannel>;
  /** Each attempt in flight by outbox id, with its channel. */
  /** Reads of the outbox that failed in a row, when the next may be tried, and last logged. */
  private readFailures = 0;
  private readRetryAt = 0;
  private readErrorLoggedAt = Number.NEGATIVE_INFINITY;
  private readonly inFlight = new Map<number, { channel: string; done: Promise<void> }>();
  private readonly abort = new AbortController();
  private readonly random: () => number;
  private readonly deliver: typeof deliverOn;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the armed timer fires (on the dispatcher's clock). */
  private timerAt = Infinity;
  private started = false;
  private stopped = false;

  constructor(private readonly options: DispatcherOptions) {
    this.channels = new Map(options.channels.map((channel) => [channel.name, channel]));
    this.random = options.random ?? Math.random;
    this.deliver = options.deliver ?? deliverOn;
  }

  /** Delivers what is due now; resolves when those attempts are delivered and recorded. */
  async step(): Promise<number> {
    const started = this.launch();
    await Promise.all(started);
    return started.length;
  }

  /** Runs `step` now, then whenever the next attempt is due or `wake` is called, until `stop`. */
  start(): void {
    if (this.started || this.stopped) return;
    this.started = true;
    this.wake();
  }

  /** Asks for a step now: called after a transaction queued new alerts. */
  wake(): void {
    this.armAt(this.options.clock.now());
  }

  /**
   * Starts the due attempts that fit in the free slots, then arms the timer for the first
   * attempt due later. Attempts in flight, and those waiting for a slot, need no timer: each
   * finished attempt wakes the loop.
   */
  private launch(): Promise<void>[] {
    if (this.stopped) return [];
    const now = this.options.clock.now();
    const started = this.pickDue(now).map((row) => {
      const attempt = this.attempt(row)
        .catch(() => false)
        .then((recorded) => {
          this.inFlight.delete(row.id);
          // A slot is free and the attempt may have set a retry: look again now. An attempt
          // that could not be recorded is still due; it waits a second, not a tight loop.
          if (recorded) this.wake();
          else this.armAt(this.options.clock.now() + FIRST_RETRY_MS);
        });
      this.inFlight.set(row.id, { channel: row.channel, done: attempt });
      return attempt;
    });
    this.armAt(this.options.store.nextAttemptAfter(now) ?? Infinity);
    return started;
  }

  /**
   * The due alerts to start now, the longest-waiting first: as many as there are free
   * slots, and no more on one channel than its own free slots. The outbox is read past
   * the channels that are full, so that one hanging channel never keeps the others waiting.
   */
  private pickDue(now: number): OutboxRow[] {
    const perChannel = this.options.maxInFlightPerChannel ?? 4;
    const total = this.options.maxInFlight ?? perChannel * (this.channels.size + 1);
    const room = total - this.inFlight.size;
    if (room <= 0) return [];
    const busy = new Map<string, number>();
    for (const { channel } of this.inFlight.values()) {
      busy.set(channel, (busy.get(channel) ?? 0) + 1);
    }
    const fullChannels = [...busy].filter(([, count]) => count >= perChannel).map(([c]) => c);

    const due = this.options.store.due(now, {
      perChannel,
      fullChannels,
      inFlight: [...this.inFlight.keys()],
    });
    const picked: OutboxRow[] = [];
    for (const row of due) {
      if (picked.length === room) break;
      const count = busy.get(row.channel) ?? 0;
      if (count >= perChannel) continue;
      busy.set(row.channel, count + 1);
      picked.push(row);
    }
    return picked;
  }

  /**
   * Makes sure a step runs at `at` (or sooner, if already armed sooner), and never later than
   * `pollMs` from now. Only once started.
   */
  private armAt(at: number): void {
    if (!this.started || this.stopped) return;
    const now = this.options.clock.now();
    const due = Math.min(Math.max(at, this.readRetryAt), now + (this.options.pollMs ?? 60_000));
    if (this.timer !== null && this.timerAt <= due) return;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timerAt = due;
    this.timer = setTimeout(() => this.tick(), Math.max(0, due - now));
  }

  private tick(): void {
    this.timer = null;
    this.timerAt = Infinity;
    try {
      this.launch();
      if (this.readFailures > 0) this.options.logger.info("the alerts outbox reads again");
      this.readFailures = 0;
      this.readRetryAt = 0;
      this.readErrorLoggedAt = Number.NEGATIVE_INFINITY;
    } catch (error) {
      // The outbox could not be read (the database busy, or damaged): a timer must not throw.
      // Retried after 1 s, then twice as long each time up to a minute (a wake does not come
      // sooner); logged at the first failure and then once a minute at most, so a damaged
      // file does not flood the log.
      const now = this.options.clock.now();
      this.readFailures++;
      this.readRetryAt = now + Math.min(60_000, FIRST_RETRY_MS * 2 ** (this.readFailures - 1));
      if (now - this.readErrorLoggedAt >= 60_000) {
        this.readErrorLoggedAt = now;
        this.options.logger.error("could not read the alerts outbox", {
          error: String(error),
          failuresInARow: this.readFailures,
        });
      }
      this.armAt(this.readRetryAt);
    }
  }

  /**
   * Stops the loop and aborts deliveries in flight. An aborted attempt is not recorded: its
   * alert stays pending and is delivered after the next start (the receiver may then see it
   * twice, with the same idempotency key).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.abort.abort();
    await Promise.allSettled([...this.inFlight.values()].map((attempt) => attempt.done));
  }

  /** Delivers one alert and records the attempt; answers whether it was recorded. */
  private async attempt(row: OutboxRow): Promise<boolean> {
    const channel = this.channels.get(row.channel);
    const began = performance.now();
    let result: DeliveryResult;
    try {
      result = channel
        ? await this.deliver(channel, JSON.parse(row.payload) as AlertPayload, this.abort.signal)
        : permanentFailure(channelRemovedError(row.channel));
    } catch (error) {
      if (error instanceof DeliveryAborted || this.abort.signal.aborted) return false;
      result = { outcome: "failed", statusCode: null, error: `unexpected: ${String(error)}` };
    }
    const durationMs = Math.round(performance.now() - began);

    const record = this.recordOf(row, result, durationMs);
    try {
      await this.options.writes.submit(() => this.options.store.recordAttempt(record));
    } catch (error) {
      // The alert stays pending as it was and is attempted again: possibly a duplicate, which
      // the idempotency key lets the receiver drop.
      this.options.logger.error("could not record an alert attempt", {
        channel: row.channel,
        alert: row.id,
        error: String(error),
      });
      return false;
    }
    this.options.onRecorded?.(record);
    this.log(row, channel, record);
    return true;
  }

  private recordOf(row: OutboxRow, result: DeliveryResult, durationMs: number): AttemptRecord {
    const at = this.options.clock.now();
    const attempts = row.attempts + 1;
    let next: AttemptRecord["next"];
    if (result.outcome === "delivered") next = { state: "delivered" };
    else if (result.outcome === "permanent_failure") next = { state: "failed" };
    else {
      const retryAt = nextAttemptAt(row.created_at, at, attempts, this.random, result.retryAfterMs);
      next = retryAt === null ? { state: "failed" } : { state: "pending", retryAt };
    }
    return {
      outboxId: row.id,
      channel: row.channel,
      at,
      outcome: result.outcome,
      statusCode: result.statusCode,
      error: result.error,
      durationMs,
      next,
    };
  }

  /** One line per attempt, with its outcome and duration; never a URL or a secret. */
  private log(row: OutboxRow, channel: AlertChannel | undefined, record: AttemptRecord): void {
    const fields = {
      channel: row.channel,
      type: channel?.type,
      run: row.run_id,
      name: row.run_name,
      trigger: row.trigger,
      attempt: row.attempts + 1,
      outcome: record.outcome,
      status: record.statusCode ?? undefined,
      duration_ms: record.durationMs,
      error: record.error ?? undefined,
    };
    const { logger } = this.options;
    const { next } = record;
    if (record.outcome === "delivered") logger.info("alert delivered", fields);
    else if (next.state === "pending") {
      logger.warn("alert delivery failed; will retry", {
        ...fields,
        retry_in_ms: next.retryAt - record.at,
      });
    } else if (record.outcome === "permanent_failure") {
      logger.error("alert delivery failed permanently", fields);
    } else logger.error("alert delivery failed for 24 hours; giving up", fields);
  }
}
