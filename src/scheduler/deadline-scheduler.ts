import type { Clock } from "../domain/clock.ts";
import type { DeadlineTracker } from "../domain/ports.ts";
import { SharedWheel, type WheelTimers } from "./shared-wheel.ts";

export interface DeadlineSchedulerOptions {
  clock: Clock;
  /** The wheel's resolution: a deadline is acted on at most this late (plus the write). */
  tickMs?: number;
  /** The daemon's one timer wheel; without it the scheduler has a wheel of its own. */
  wheel?: SharedWheel;
  /** Called with the ids whose deadline passed; the runs are not yet marked. */
  onExpired: (runIds: number[]) => void;
}

/**
 * Keeps every open run's deadline in a timer wheel and, once per tick, hands the ones that
 * passed to `onExpired`. Scheduling and cancelling are O(1); the wheel holds run ids only.
 */
export class DeadlineScheduler implements DeadlineTracker {
  private readonly wheel: SharedWheel;
  private readonly timers: WheelTimers;
  private expired: number[] = [];

  constructor(options: DeadlineSchedulerOptions) {
    this.wheel = options.wheel ?? new SharedWheel(options.clock, options.tickMs ?? 100);
    this.timers = this.wheel.timers("deadline", (ids) => {
      this.timers.fired(ids);
      this.expired = ids;
      options.onExpired(ids);
    });
  }

  schedule(runId: number, deadlineAt: number): void {
    this.timers.arm(runId, deadlineAt);
  }

  cancel(runId: number): void {
    this.timers.disarm(runId);
  }

  /** Open deadlines pending. */
  get size(): number {
    return this.timers.size;
  }

  /**
   * Moves the wheel to the clock's time and reports what expired. Tests call it directly;
   * on a shared wheel it also fires the other kinds of timer that are due.
   */
  tick(): number[] {
    this.expired = [];
    this.wheel.tick();
    return this.expired;
  }

  start(): void {
    this.wheel.start();
  }

  stop(): void {
    this.wheel.stop();
  }
}
