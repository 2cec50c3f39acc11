import type { Clock } from "../domain/clock.ts";
import type { DeadlineTracker } from "../domain/ports.ts";
import { TimerWheel } from "./timer-wheel.ts";

export interface DeadlineSchedulerOptions {
  clock: Clock;
  /** The wheel's resolution: a deadline is acted on at most this late (plus the write). */
  tickMs?: number;
  /** Called with the ids whose deadline passed; the runs are not yet marked. */
  onExpired: (runIds: number[]) => void;
}

/**
 * Keeps every open run's deadline in a timer wheel and, once per tick, hands the ones that
 * passed to `onExpired`. Scheduling and cancelling are O(1); the wheel holds run ids only.
 */
export class DeadlineScheduler implements DeadlineTracker {
  private readonly wheel: TimerWheel;
  private readonly handles = new Map<number, number>();
  private readonly clock: Clock;
  private readonly tickMs: number;
  private readonly onExpired: (runIds: number[]) => void;
  private interval: ReturnType<typeof setInterval> | null = null;

  constructor(options: DeadlineSchedulerOptions) {
    this.clock = options.clock;
    this.tickMs = options.tickMs ?? 100;
    this.onExpired = options.onExpired;
    this.wheel = new TimerWheel({ tickMs: this.tickMs, startMs: this.clock.now() });
  }

  schedule(runId: number, deadlineAt: number): void {
    this.cancel(runId);
    this.handles.set(runId, this.wheel.schedule(runId, deadlineAt));
  }

  cancel(runId: number): void {
    const handle = this.handles.get(runId);
    if (handle === undefined) return;
    this.wheel.cancel(handle);
    this.handles.delete(runId);
  }

  get size(): number {
    return this.wheel.size;
  }

  /** Moves the wheel to the clock's time and reports what expired. Tests call it directly. */
  tick(): number[] {
    const expired = this.wheel.advance(this.clock.now());
    for (const id of expired) this.handles.delete(id);
    if (expired.length > 0) this.onExpired(expired);
    return expired;
  }

  start(): void {
    if (this.interval) return;
    this.interval = setInterval(() => this.tick(), this.tickMs);
  }

  stop(): void {
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
  }
}
