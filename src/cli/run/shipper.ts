import { prepareBatch, type BatchLine, type PreparedBatch } from "../../client/batches.ts";

export interface ShipperOptions {
  /**
   * Sends one batch (within the daemon's limits) under its idempotency key; throws on
   * failure. `signal` aborts when the shipper gives up, so that nothing stays in flight.
   */
  send: (batch: PreparedBatch, key: string, signal: AbortSignal) => Promise<void>;
  /** Called on each failed send, with the error; the batch is kept and tried again. */
  onFailure: (error: unknown) => void;
  /** Called once, when the first line is dropped because `maxPendingBytes` are waiting. */
  onOverflow?: () => void;
  /** Lines waiting beyond this many bytes of memory (estimated) are dropped and counted. */
  maxPendingBytes?: number;
  /** The pause after a failed send before the same batch is tried again. */
  retryPauseMs?: number;
  /** Lines only queue, nothing is sent, until `release` (the run does not exist yet). */
  held?: boolean;
}

export interface ShipperReport {
  sent: number;
  /** Lines dropped because too many were waiting, or still unsent when it gave up. */
  lost: number;
}

/** What a waiting line costs in memory, about: its UTF-16 text and the objects around it. */
const memoryCost = (line: BatchLine): number => line.message.length * 2 + 64;

/**
 * Ships lines to the daemon in the background, in order, one batch in flight at a time: a
 * batch takes whatever has queued while the previous one was on its way, up to the daemon's
 * limits (1000 lines, ~1 MiB). One at a time because the daemon stores concurrent batches in
 * whatever order it reads them; lines must keep theirs. `add` never waits, so the command is
 * never slowed; if the daemon falls behind or away, lines wait in memory up to a bound, and
 * beyond it new lines are dropped and counted. A failed batch is kept and sent again, the
 * same bytes under the same idempotency key.
 */
export class Shipper {
  private queue: BatchLine[] = [];
  private head = 0;
  private pendingBytes = 0;
  private sent = 0;
  private dropped = 0;
  private batchNumber = 0;
  /** Whether `drain` is running; set and cleared synchronously, so no line is left behind. */
  private active = false;
  private drained: Promise<void> = Promise.resolve();
  /** The batch being sent; after a failure it is sent again exactly as it was. */
  private current: PreparedBatch | null = null;
  private readonly keyPrefix = crypto.randomUUID();
  private closing = false;
  private stopped = false;
  private wake: (() => void) | null = null;
  private giveUp: (() => void) | null = null;
  private abandoned = false;
  private readonly inFlight = new AbortController();
  private healthy = true;
  private held: boolean;
  private readonly maxPendingBytes: number;
  private readonly retryPauseMs: number;

  constructor(private readonly options: ShipperOptions) {
    this.maxPendingBytes = options.maxPendingBytes ?? 64 * 1024 * 1024;
    this.retryPauseMs = options.retryPauseMs ?? 2000;
    this.held = options.held ?? false;
  }

  /** Starts sending what has queued while the shipper was held, and what comes after. */
  release(): void {
    this.held = false;
    this.kick();
  }

  /** Whether the last send succeeded. */
  get isHealthy(): boolean {
    return this.healthy;
  }

  add(line: BatchLine): void {
    const cost = memoryCost(line);
    if (this.pendingBytes + cost > this.maxPendingBytes) {
      if (this.dropped++ === 0) this.options.onOverflow?.();
      return;
    }
    this.queue.push(line);
    this.pendingBytes += cost;
    this.kick();
  }

  /**
   * Sends what is still waiting and answers what became of the lines. It keeps going while
   * the daemon answers; once a send fails (after the client's own retries) it gives up, as
   * it does at `deadlineMs` since the epoch, so that a lost daemon cannot hold the command's
   * exit for long.
   */
  async close(deadlineMs: number): Promise<ShipperReport> {
    this.closing = true;
    this.wake?.();
    this.kick();
    const remaining = this.abandoned ? 0 : deadlineMs - Date.now();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((done) => {
      timer = setTimeout(done, Math.max(0, remaining));
      this.giveUp = done;
    });
    await Promise.race([this.drained, timeout]);
    clearTimeout(timer);
    this.giveUp = null;
    this.stopped = true;
    this.inFlight.abort();
    return { sent: this.sent, lost: this.dropped + this.waiting };
  }

  /** Stops a `close` that is still sending, at once: what is left counts as lost. */
  abandon(): void {
    this.abandoned = true;
    this.giveUp?.();
  }

  private get waiting(): number {
    return this.queue.length - this.head;
  }

  private kick(): void {
    if (this.active || this.stopped || this.held || this.waiting === 0) return;
    this.active = true;
    this.drained = this.drain();
  }

  private async drain(): Promise<void> {
    try {
      // Lines come a chunk of output at a time: let the whole chunk queue before the first
      // batch is cut, or a burst after a quiet spell would cost a request for its first line.
      await Promise.resolve();
      while (this.waiting > 0 && !this.stopped) {
        const batch = (this.current ??= prepareBatch(this.queue, this.head));
        if (!(await this.sendOnce(batch))) {
          if (this.closing) return;
          await this.pause();
        }
      }
    } finally {
      // In the same turn as the last look at the queue: a line added after it starts anew.
      this.active = false;
    }
  }

  private async sendOnce(batch: PreparedBatch): Promise<boolean> {
    try {
      const key = `${this.keyPrefix}-${this.batchNumber}`;
      await this.options.send(batch, key, this.inFlight.signal);
    } catch (error) {
      this.healthy = false;
      this.options.onFailure(error);
      return false;
    }
    this.healthy = true;
    if (!this.stopped) this.take(batch);
    return true;
  }

  /** Waits before the next try, cut short by `close`. */
  private pause(): Promise<void> {
    return new Promise<void>((done) => {
      const timer = setTimeout(done, this.retryPauseMs);
      this.wake = () => {
        clearTimeout(timer);
        done();
      };
    }).finally(() => (this.wake = null));
  }

  private take(batch: PreparedBatch): void {
    this.current = null;
    const end = this.head + batch.count;
    for (let i = this.head; i < end; i++) this.pendingBytes -= memoryCost(this.queue[i]!);
    this.head = end;
    this.sent += batch.count;
    this.batchNumber++;
    // Drop what was sent now and then, so the queue's memory follows what is still waiting.
    if (this.head > 10_000 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
