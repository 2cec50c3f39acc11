/**
 * Benchmark of the deadline timer wheel: schedule and cancel throughput, memory per pending
 * timer, the cost of firing and of a long gap, and firing accuracy under tick-by-tick advances.
 * Run as `bun bench/timer-wheel.ts [--quick]`; a larger benchmark imports runTimerWheelBench.
 */
import { TimerWheel } from "../src/scheduler/timer-wheel.ts";

const TICK_MS = 100;
const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const HORIZON_MS = 366 * DAY_MS;
/** The accuracy run advances tick by tick, so its span is kept to one day of ticks. */
const ACCURACY_SPAN_MS = DAY_MS;

export interface TimerWheelBenchOptions {
  /** 100,000 timers instead of 1,000,000. */
  quick: boolean;
}

export async function runTimerWheelBench(
  opts: TimerWheelBenchOptions,
): Promise<Record<string, number>> {
  const count = opts.quick ? 100_000 : 1_000_000;
  const deadlines = randomDeadlines(count, HORIZON_MS);

  // Memory: the heap includes typed-array storage, so its growth is what the wheel holds.
  const handles = new Float64Array(count);
  const before = settledMemory();
  const wheel = new TimerWheel({ tickMs: TICK_MS, startMs: 0 });
  const scheduleStart = performance.now();
  for (let i = 0; i < count; i++) handles[i] = wheel.schedule(i + 1, deadlines[i]!);
  const scheduleMs = performance.now() - scheduleStart;
  const after = settledMemory();

  // A suspended process: one advance across an hour of ticks with everything pending.
  const gapStart = performance.now();
  const gapFired = wheel.advance(HOUR_MS).length;
  const gapMs = performance.now() - gapStart;

  // Cancel in random order, as runs end in no particular order.
  shuffle(handles);
  const cancelStart = performance.now();
  let cancelled = 0;
  for (let i = 0; i < count; i++) if (wheel.cancel(handles[i]!)) cancelled++;
  const cancelMs = performance.now() - cancelStart;

  const fire = measureFiring(deadlines);
  const accuracy = measureAccuracy(count);

  return {
    timers: count,
    scheduleOpsPerSec: Math.round(count / (scheduleMs / 1000)),
    cancelOpsPerSec: Math.round(cancelled / (cancelMs / 1000)),
    heapBytesPerTimer: round((after.heap - before.heap) / count),
    rssBytesPerTimer: round((after.rss - before.rss) / count),
    fireOpsPerSec: fire.opsPerSec,
    hourGapAdvanceMs: round(gapMs, 3),
    hourGapFired: gapFired,
    accuracyTimers: count,
    accuracyAdvances: accuracy.advances,
    accuracyMaxLatenessMs: accuracy.maxLatenessMs,
    accuracyEarly: accuracy.early,
    accuracyWrongCount: accuracy.wrongCount,
  };
}

/** Fires every timer with one advance past the horizon. */
function measureFiring(deadlines: Float64Array): { opsPerSec: number } {
  const wheel = new TimerWheel({ tickMs: TICK_MS, startMs: 0 });
  for (let i = 0; i < deadlines.length; i++) wheel.schedule(i + 1, deadlines[i]!);

  const start = performance.now();
  const fired = wheel.advance(HORIZON_MS).length;
  return { opsPerSec: Math.round(fired / ((performance.now() - start) / 1000)) };
}

/**
 * Schedules timers with fractional-millisecond deadlines over one day, advances one tick at a
 * time, and checks each fired at the first advance at or after its deadline: lateness is
 * below one tick, never negative, and every timer fires exactly once.
 */
function measureAccuracy(count: number) {
  const deadlines = randomDeadlines(count, ACCURACY_SPAN_MS, true);
  const wheel = new TimerWheel({ tickMs: TICK_MS, startMs: 0 });
  for (let i = 0; i < count; i++) wheel.schedule(i + 1, deadlines[i]!);

  const firings = new Uint8Array(count);
  let maxLatenessMs = 0;
  let early = 0;
  let advances = 0;
  for (let now = TICK_MS; now <= ACCURACY_SPAN_MS + TICK_MS; now += TICK_MS, advances++) {
    for (const key of wheel.advance(now)) {
      const lateness = now - deadlines[key - 1]!;
      if (lateness < 0) early++;
      maxLatenessMs = Math.max(maxLatenessMs, lateness);
      firings[key - 1]!++;
    }
  }

  const wrongCount = firings.reduce((wrong, times) => wrong + (times === 1 ? 0 : 1), 0);
  // Rounded down: a lateness just under one tick must not print as a full tick.
  const maxLatenessFloor = Math.floor(maxLatenessMs * 1000) / 1000;
  return { advances, maxLatenessMs: maxLatenessFloor, early, wrongCount };
}

function randomDeadlines(count: number, spanMs: number, fractional = false): Float64Array {
  const deadlines = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const ms = Math.random() * spanMs;
    deadlines[i] = fractional ? ms : Math.floor(ms);
  }
  return deadlines;
}

function shuffle(values: Float64Array): void {
  for (let i = values.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    const value = values[i]!;
    values[i] = values[j]!;
    values[j] = value;
  }
}

function settledMemory(): { heap: number; rss: number } {
  Bun.gc(true);
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, rss: usage.rss };
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

if (import.meta.main) {
  const quick = process.argv.includes("--quick");
  const figures = await runTimerWheelBench({ quick });
  const width = Math.max(...Object.keys(figures).map((name) => name.length));
  console.log(`timer wheel, tickMs ${TICK_MS}${quick ? " (quick)" : ""}`);
  for (const [name, value] of Object.entries(figures)) {
    console.log(`  ${name.padEnd(width)}  ${value.toLocaleString("en-US").padStart(14)}`);
  }
}
