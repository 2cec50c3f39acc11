import type { Clock } from "../domain/clock.ts";
import { TimerWheel } from "./timer-wheel.ts";

/** How many kinds of timer one wheel can hold; a wheel key is `id * MAX_OWNERS + owner`. */
const MAX_OWNERS = 4;
/** Ids above this would lose their low bits in the key (a double is exact to 2^53). */
const MAX_ID = Math.floor(Number.MAX_SAFE_INTEGER / MAX_OWNERS);

/**
 * One timer wheel, and one interval that ticks it, for every kind of timer the daemon keeps:
 * run deadlines and the ends of schedule windows. Each kind gets its own `WheelTimers`, keyed
 * by its own ids (a run id and a schedule id may be equal), and hears of its own timers only.
 */
export class SharedWheel {
  private readonly wheel: TimerWheel;
  private readonly owners: { kind: string; onDue: (ids: number[]) => void; timers: WheelTimers }[] =
    [];
  private interval: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly clock: Clock,
    readonly tickMs = 100,
  ) {
    this.wheel = new TimerWheel({ tickMs, startMs: clock.now() });
  }

  /**
   * A set of timers of one kind, named by `kind` in the metrics (`deadline`, `schedule`);
   * `onDue` is told, once per tick, the ids that passed.
   */
  timers(kind: string, onDue: (ids: number[]) => void): WheelTimers {
    if (this.owners.length === MAX_OWNERS) throw new Error("too many kinds of timer");
    const timers = new WheelTimers(this.wheel, this.owners.length);
    this.owners.push({ kind, onDue, timers });
    return timers;
  }

  /** Timers pending, of every kind. */
  get size(): number {
    return this.wheel.size;
  }

  /** Timers pending of each kind, in the order the kinds were added. */
  sizes(): { kind: string; size: number }[] {
    return this.owners.map(({ kind, timers }) => ({ kind, size: timers.size }));
  }

  /** Moves the wheel to the clock's time and tells each kind what passed. */
  tick(): void {
    const fired = this.wheel.advance(this.clock.now());
    if (fired.length === 0) return;
    const perOwner = this.owners.map((): number[] => []);
    for (const key of fired) perOwner[key % MAX_OWNERS]!.push(Math.floor(key / MAX_OWNERS));
    perOwner.forEach((ids, owner) => {
      if (ids.length > 0) this.owners[owner]!.onDue(ids);
    });
  }

  start(): void {
    this.interval ??= setInterval(() => this.tick(), this.tickMs);
  }

  stop(): void {
    if (this.interval) clearInterval(this.interval);
    this.interval = null;
  }
}

/** The timers of one kind in a shared wheel: arm, move and disarm by the kind's own id. */
export class WheelTimers {
  private readonly handles = new Map<number, number>();

  constructor(
    private readonly wheel: TimerWheel,
    private readonly owner: number,
  ) {}

  /** Fires `id` at `at` (epoch ms); arming an armed id moves its timer. */
  arm(id: number, at: number): void {
    if (!Number.isSafeInteger(id) || id < 0 || id > MAX_ID) {
      throw new RangeError(`timer id ${id} is not a whole number from 0 to ${MAX_ID}`);
    }
    this.disarm(id);
    this.handles.set(id, this.wheel.schedule(id * MAX_OWNERS + this.owner, at));
  }

  disarm(id: number): void {
    const handle = this.handles.get(id);
    if (handle === undefined) return;
    this.wheel.cancel(handle);
    this.handles.delete(id);
  }

  /** Forgets ids that fired (the wheel has dropped them already). */
  fired(ids: number[]): void {
    for (const id of ids) this.handles.delete(id);
  }

  get size(): number {
    return this.handles.size;
  }
}
