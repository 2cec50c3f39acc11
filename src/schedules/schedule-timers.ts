import { TimerWheel } from "../scheduler/timer-wheel.ts";

/**
 * The end of each schedule's current window, in a timer wheel of its own keyed by schedule
 * id (the run deadlines have theirs). Nothing polls the database: the checker looks at a
 * schedule only when its window closes. Arming an armed schedule moves its timer.
 */
export class ScheduleTimers {
  private readonly wheel: TimerWheel;
  private readonly handles = new Map<number, number>();

  constructor(options: { tickMs: number; startMs: number }) {
    this.wheel = new TimerWheel(options);
  }

  arm(scheduleId: number, closesAt: number): void {
    this.disarm(scheduleId);
    this.handles.set(scheduleId, this.wheel.schedule(scheduleId, closesAt));
  }

  disarm(scheduleId: number): void {
    const handle = this.handles.get(scheduleId);
    if (handle === undefined) return;
    this.wheel.cancel(handle);
    this.handles.delete(scheduleId);
  }

  /** The schedules whose window closed at or before `now`; they are disarmed. */
  due(now: number): number[] {
    const fired = this.wheel.advance(now);
    for (const id of fired) this.handles.delete(id);
    return fired;
  }

  get size(): number {
    return this.wheel.size;
  }
}
