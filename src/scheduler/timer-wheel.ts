/**
 * The hierarchical timer wheel behind run deadlines. It has no clock: the caller passes the time
 * in, so tests drive it with an injected clock and never sleep.
 *
 * Level L has 64 slots, each covering 64^L ticks. A timer sits at the lowest level whose
 * current 64-slot block also holds its deadline tick; when time enters a coarse slot, its timers
 * cascade down to finer ones. Nine levels span 2^54 ticks, more than a double counts exactly, so
 * every deadline has a slot and no overflow list is needed.
 *
 * Timers are rows in typed arrays (struct of arrays) rather than objects: about 38 bytes each,
 * with no garbage per operation. Each slot is an intrusive doubly linked list, so cancel is O(1);
 * a 64-bit occupancy map per level lets advance() jump over empty stretches instead of walking
 * them tick by tick.
 *
 * Indexes into the typed arrays are in range by construction; the `!` after them only tells the
 * compiler what `noUncheckedIndexedAccess` cannot know.
 */

const SLOTS = 64;
const LEVELS = 9;
/** SPAN[L] is the number of ticks one slot of level L covers. */
const SPAN = Array.from({ length: LEVELS + 1 }, (_, level) => SLOTS ** level);
const INVERSE_SPAN = SPAN.map((span) => 1 / span);
const MAX_TICK = Number.MAX_SAFE_INTEGER;
const NONE = -1;
const FREE = -1;
const INITIAL_CAPACITY = 1024;
/** A handle is `generation * 2^32 + row`; 21 bits of generation keep it a safe integer. */
const ROW_RANGE = 2 ** 32;
const MAX_GENERATION = 2 ** 21 - 1;

export interface TimerWheelOptions {
  /** Resolution of the wheel; deadlines are still compared to the millisecond. */
  tickMs: number;
  /** The caller's clock at creation. */
  startMs: number;
}

export class TimerWheel {
  private readonly tickMs: number;
  private readonly originTick: number;
  /** Current tick, counted from originTick. Every slot before it has been drained. */
  private now = 0;
  private pending = 0;
  private scheduled = 0;
  private capacity = 0;
  private freeHead = NONE;

  private deadlines = new Float64Array(0);
  private keys = new Float64Array(0);
  /** Schedule order, to break deadline ties the way the caller asked. */
  private order = new Float64Array(0);
  private next = new Int32Array(0);
  private prev = new Int32Array(0);
  /** The slot a row is linked into, or FREE. */
  private slots = new Int16Array(0);
  private generations = new Int32Array(0);

  private readonly heads = new Int32Array(LEVELS * SLOTS).fill(NONE);
  /** Bit `slot & 31` of word `slot >> 5` is set while that slot's list is non-empty. */
  private readonly occupied = new Int32Array(LEVELS * 2);
  private readonly batch: number[] = [];

  constructor(options: TimerWheelOptions) {
    const { tickMs, startMs } = options;
    if (!(tickMs > 0 && Number.isFinite(tickMs))) throw new RangeError("tickMs must be > 0");
    if (!Number.isFinite(startMs)) throw new RangeError("startMs must be a finite number");
    this.tickMs = tickMs;
    this.originTick = Math.floor(startMs / tickMs);
  }

  get size(): number {
    return this.pending;
  }

  /**
   * Arms a timer that gives `key` back from the first advance() whose time is at or after
   * `deadlineMs`. A deadline already past fires on the next advance; Infinity never fires.
   * Returns a handle for cancel(), unique among all handles this wheel has returned (until one
   * row is reused two million times). O(1) amortised: the arrays double when full.
   */
  schedule(key: number, deadlineMs: number): number {
    if (!(Number.isSafeInteger(key) && key > 0)) {
      throw new RangeError(`key must be a positive integer, got ${key}`);
    }
    if (Number.isNaN(deadlineMs)) throw new RangeError("deadlineMs must not be NaN");

    if (this.freeHead === NONE) this.grow();
    const row = this.freeHead;
    this.freeHead = this.next[row]!;

    this.deadlines[row] = deadlineMs;
    this.keys[row] = key;
    this.order[row] = this.scheduled++;
    this.pending++;
    this.place(row);
    return this.generations[row]! * ROW_RANGE + row;
  }

  /** Disarms a timer in O(1). False if the handle already fired, was cancelled or is unknown. */
  cancel(handle: number): boolean {
    if (!Number.isSafeInteger(handle) || handle < 0) return false;
    const row = handle % ROW_RANGE;
    const generation = (handle - row) / ROW_RANGE;
    if (row >= this.capacity || this.slots[row] === FREE) return false;
    if (this.generations[row] !== generation) return false;

    this.unlink(row);
    this.release(row);
    return true;
  }

  /**
   * Moves the wheel to `nowMs` and returns the keys of exactly the timers whose deadline is
   * at or before it, by deadline, ties in schedule order. The cost follows the occupied slots
   * passed, not the ticks, so a long suspension is cheap. Note: time moving backwards is
   * allowed (the current tick stays) and fires only what is due by the earlier time.
   */
  advance(nowMs: number): number[] {
    if (Number.isNaN(nowMs)) throw new RangeError("nowMs must not be NaN");
    const target = this.tickOf(nowMs);
    const fired: number[] = [];

    for (;;) {
      this.fireDue(nowMs, fired);
      if (this.now >= target) return fired;

      // Nothing in between: the slots of the ticks skipped are all empty.
      const event = this.nextEventTick();
      if (event === NONE || event > target) {
        this.now = target;
        return fired;
      }
      this.now = event;
      this.cascade();
    }
  }

  /**
   * When to advance next. Exact when the earliest timer is in the current 64-tick block;
   * otherwise the start of the earliest occupied coarse slot, earlier than the true deadline.
   * A caller that sleeps until it, advances and asks again therefore never oversleeps, and wakes
   * early at most once per level. May be before the last advance if a past deadline was added.
   * Null when nothing is pending. Note: with a fractional tickMs the coarse figure is subject
   * to float rounding and may be a hair late.
   */
  nextDeadlineMs(): number | null {
    const slot = lowestSetFrom(this.occupied[0]!, this.occupied[1]!, digitOf(this.now, 0));
    if (slot === NONE) {
      const tick = this.nextEventTick();
      return tick === NONE ? null : (this.originTick + tick) * this.tickMs;
    }

    let earliest = Infinity;
    for (let row = this.heads[slot]!; row !== NONE; row = this.next[row]!) {
      earliest = Math.min(earliest, this.deadlines[row]!);
    }
    return earliest;
  }

  private tickOf(ms: number): number {
    const tick = Math.floor(ms / this.tickMs) - this.originTick;
    return tick > MAX_TICK ? MAX_TICK : tick;
  }

  /** Links a row into the slot for its deadline, as seen from the current tick. */
  private place(row: number): void {
    const tick = Math.max(this.now, this.tickOf(this.deadlines[row]!));
    // Levels whose blocks are shorter than the distance cannot hold it; climb from there while
    // a block edge still separates it from the current tick.
    let level = 0;
    while (tick - this.now >= SPAN[level + 1]!) level++;
    while (slotsOf(tick, level + 1) !== slotsOf(this.now, level + 1)) level++;
    this.link(row, level * SLOTS + digitOf(tick, level));
  }

  /** Unlinks and collects the current slot's due timers, sorted, into `fired`. */
  private fireDue(nowMs: number, fired: number[]): void {
    let row = this.heads[digitOf(this.now, 0)]!;
    if (row === NONE) return;
    const batch = this.batch;
    batch.length = 0;

    while (row !== NONE) {
      const following = this.next[row]!;
      if (this.deadlines[row]! <= nowMs) {
        this.unlink(row);
        batch.push(row);
      }
      row = following;
    }

    if (batch.length > 1) batch.sort(this.byDeadline);
    for (const due of batch) {
      fired.push(this.keys[due]!);
      this.release(due);
    }
  }

  // `||` falls through to schedule order on a tie, and on Infinity - Infinity (NaN).
  private readonly byDeadline = (a: number, b: number): number =>
    this.deadlines[a]! - this.deadlines[b]! || this.order[a]! - this.order[b]!;

  /**
   * The first tick from the current one that has work: a level-0 slot to fire, or a coarse slot
   * to cascade. A coarse slot is never at the current digit (it was cascaded on entry), so its
   * search starts one past it. NONE when the wheel is empty.
   */
  private nextEventTick(): number {
    if (this.pending === 0) return NONE;
    for (let level = 0; level < LEVELS; level++) {
      const digit = digitOf(this.now, level);
      const from = level === 0 ? digit : digit + 1;
      const slot = lowestSetFrom(this.occupied[2 * level]!, this.occupied[2 * level + 1]!, from);
      if (slot === NONE) continue;
      return (slotsOf(this.now, level + 1) * SLOTS + slot) * SPAN[level]!;
    }
    return NONE;
  }

  /** Re-places the timers of every coarse slot the current tick has just entered. */
  private cascade(): void {
    // Only a tick on a level-L boundary enters a new slot of level L (and of those below).
    const now = this.now;
    for (let level = 1; level < LEVELS && slotsOf(now, level) * SPAN[level]! === now; level++) {
      const slot = level * SLOTS + digitOf(now, level);
      let row = this.heads[slot]!;
      if (row === NONE) continue;
      this.heads[slot] = NONE;
      this.occupied[slot >> 5]! &= ~(1 << (slot & 31));

      while (row !== NONE) {
        const following = this.next[row]!;
        this.place(row);
        row = following;
      }
    }
  }

  private link(row: number, slot: number): void {
    const head = this.heads[slot]!;
    this.next[row] = head;
    this.prev[row] = NONE;
    if (head === NONE) this.occupied[slot >> 5]! |= 1 << (slot & 31);
    else this.prev[head] = row;
    this.heads[slot] = row;
    this.slots[row] = slot;
  }

  private unlink(row: number): void {
    const slot = this.slots[row]!;
    const before = this.prev[row]!;
    const after = this.next[row]!;
    if (before === NONE) this.heads[slot] = after;
    else this.next[before] = after;
    if (after !== NONE) this.prev[after] = before;
    if (this.heads[slot] === NONE) this.occupied[slot >> 5]! &= ~(1 << (slot & 31));
  }

  /** Returns an unlinked row to the free list; the new generation makes old handles stale. */
  private release(row: number): void {
    const generation = this.generations[row]!;
    this.generations[row] = generation === MAX_GENERATION ? 1 : generation + 1;
    this.slots[row] = FREE;
    this.next[row] = this.freeHead;
    this.freeHead = row;
    this.pending--;
  }

  private grow(): void {
    const from = this.capacity;
    const to = Math.max(INITIAL_CAPACITY, from * 2);
    this.deadlines = widen(this.deadlines, new Float64Array(to));
    this.keys = widen(this.keys, new Float64Array(to));
    this.order = widen(this.order, new Float64Array(to));
    this.next = widen(this.next, new Int32Array(to));
    this.prev = widen(this.prev, new Int32Array(to));
    this.slots = widen(this.slots, new Int16Array(to).fill(FREE));
    // Generations start at 1 so that no handle is 0.
    this.generations = widen(this.generations, new Int32Array(to).fill(1));

    // Lowest rows first out of the free list, for locality.
    for (let row = to - 1; row >= from; row--) {
      this.next[row] = this.freeHead;
      this.freeHead = row;
    }
    this.capacity = to;
  }
}

/**
 * How many whole level-L slots fit in `tick`: floor(tick / 64^L). Multiplying by the reciprocal,
 * a power of two, is exact and avoids a division.
 */
function slotsOf(tick: number, level: number): number {
  return Math.floor(tick * INVERSE_SPAN[level]!);
}

/** Which of its block's 64 slots `tick` falls in at a level. `%` on a double would be fmod. */
function digitOf(tick: number, level: number): number {
  const slots = slotsOf(tick, level);
  return slots - Math.floor(slots * INVERSE_SPAN[1]!) * SLOTS;
}

function widen<T extends Float64Array | Int32Array | Int16Array>(old: T, fresh: T): T {
  fresh.set(old);
  return fresh;
}

/** Index of the lowest set bit at or above `from` in the 64-bit map (lo, hi), or NONE. */
function lowestSetFrom(lo: number, hi: number, from: number): number {
  if (from < 32) {
    const bits = lo & (-1 << from);
    if (bits !== 0) return 31 - Math.clz32(bits & -bits);
    from = 32;
  }
  if (from < 64) {
    const bits = hi & (-1 << (from - 32));
    if (bits !== 0) return 63 - Math.clz32(bits & -bits);
  }
  return NONE;
}
