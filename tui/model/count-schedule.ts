import type { Clock } from "../../src/domain/clock.ts";
import type { CountWindow, StatusCounter, StatusCounts } from "../data/status-counts.ts";

/**
 * Never recount more often than this while the daemon keeps writing. With the 250 ms poll,
 * a change shows in the counts within 0.75 s when counting is cheap.
 */
const MIN_GAP_MS = 500;
/** A recount may take at most 1/20 of the time between recounts: 5 % of a core at worst. */
const COST_FACTOR = 20;
/** Windows of time slide even when nothing is written: recount them this often anyway. */
const AGING_MS = 30_000;

/**
 * Decides when the header's counts are worth recomputing. Counting is the one read whose
 * cost grows with the database (a window of a million runs is a walk of a million index
 * entries), so it runs only after a change, at most twice a second, and spaced by twenty
 * times its own last cost; a changed window is counted at once.
 */
export class CountSchedule {
  private dirty = true;
  private force = true;
  private nextAt = 0;
  private lastAt = Number.NEGATIVE_INFINITY;
  /** How long the last count took, in ms of real time (for the benchmark and the tests). */
  lastCostMs = 0;

  constructor(
    private readonly counter: StatusCounter,
    private readonly clock: Clock,
  ) {}

  /** The data changed; with `force`, the next call counts whatever the spacing says. */
  markChanged(force = false): void {
    this.dirty = true;
    this.force ||= force;
  }

  /** New counts when a count is due now, otherwise null. */
  due(now: number, window: CountWindow): StatusCounts | null {
    const aging = window !== "all" && now - this.lastAt >= AGING_MS;
    if (!this.force && !aging && !(this.dirty && now >= this.nextAt)) return null;

    const started = performance.now();
    const counts = this.counter.count(window, this.clock.now());
    this.lastCostMs = performance.now() - started;
    this.nextAt = now + Math.max(MIN_GAP_MS, this.lastCostMs * COST_FACTOR);
    this.lastAt = now;
    this.dirty = false;
    this.force = false;
    return counts;
  }
}
