import { describe, expect, test } from "bun:test";
import { TimerWheel } from "../src/scheduler/timer-wheel.ts";

const TICK = 100;
const DAY = 86_400_000;
const YEAR = 365 * DAY;

/** A small seeded generator, so that a failing random case can be replayed from its seed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function wheelAt(startMs = 0): TimerWheel {
  return new TimerWheel({ tickMs: TICK, startMs });
}

describe("TimerWheel", () => {
  test("fires in deadline order, ties in schedule order", () => {
    const wheel = wheelAt();
    const deadlines = [5_000, 150, 120, 99_999, 150, 1, 6_400, 150, 700_000, 0];
    deadlines.forEach((deadline, i) => wheel.schedule(i + 1, deadline));

    expect(wheel.advance(1_000_000)).toEqual([10, 6, 3, 2, 5, 8, 1, 7, 4, 9]);
  });

  test("never fires early and fires by the first advance at or after the deadline", () => {
    const deadlines = [1, 99, 100, 101, 150, 199.5, 250, 1_234.5, 6_399, 6_400, 6_401, 409_600];
    for (const step of [7, 100, 130, 6_500]) {
      const wheel = wheelAt();
      deadlines.forEach((deadline, i) => wheel.schedule(i + 1, deadline));

      for (let before = 0, now = step; wheel.size > 0; before = now, now += step) {
        for (const key of wheel.advance(now)) {
          const deadline = deadlines[key - 1]!;
          expect(deadline).toBeLessThanOrEqual(now);
          expect(deadline).toBeGreaterThan(before);
        }
      }
    }
  });

  test("cancel prevents firing and returns false the second time", () => {
    const wheel = wheelAt();
    const kept = wheel.schedule(1, 500);
    const cancelled = wheel.schedule(2, 500);

    expect(wheel.cancel(cancelled)).toBe(true);
    expect(wheel.cancel(cancelled)).toBe(false);
    expect(wheel.advance(1_000)).toEqual([1]);
    expect(wheel.cancel(kept)).toBe(false);
    expect(wheel.cancel(123_456)).toBe(false);
    expect(wheel.cancel(-1)).toBe(false);
    expect(wheel.cancel(0.5)).toBe(false);
  });

  test("a stale handle does not cancel the timer that reused its row", () => {
    const wheel = wheelAt();
    const cancelled = wheel.schedule(1, 500);
    wheel.cancel(cancelled);
    const reuser = wheel.schedule(2, 500);
    expect(wheel.cancel(cancelled)).toBe(false);

    const fired = wheel.schedule(3, 100);
    expect(wheel.advance(200)).toEqual([3]);
    wheel.schedule(4, 300);
    expect(wheel.cancel(fired)).toBe(false);
    expect(wheel.size).toBe(2);

    expect(wheel.advance(500)).toEqual([4, 2]);
    expect(wheel.cancel(reuser)).toBe(false);
  });

  const levelDelays = [
    ...[1, 63, 64, 4_095, 4_096, 262_144, YEAR / TICK, (3 * YEAR) / TICK],
    ...[64 ** 5, 64 ** 6, 64 ** 7],
  ];
  for (const startMs of [0, 1_700_000_012_345.5]) {
    test(`delays across every wheel level fire once, on time (start ${startMs})`, () => {
      for (const delay of levelDelays) {
        const wheel = wheelAt(startMs);
        // An odd current tick, so that deadlines cross block boundaries at every level.
        const now = startMs + 37 * TICK + 13;
        wheel.advance(now);

        const deadline = now + delay * TICK;
        wheel.schedule(delay, deadline);
        expect(wheel.advance(deadline - 1)).toEqual([]);
        expect(wheel.advance(deadline)).toEqual([delay]);
        expect(wheel.advance(deadline + 10 * TICK)).toEqual([]);
      }
    });
  }

  test("delays across every level fire in turn from one wheel", () => {
    const wheel = wheelAt();
    for (const delay of levelDelays) wheel.schedule(delay, delay * TICK - 1);

    for (const delay of levelDelays) {
      expect(wheel.advance(delay * TICK - 2)).toEqual([]);
      expect(wheel.advance(delay * TICK - 1)).toEqual([delay]);
    }
    expect(wheel.size).toBe(0);
  });

  test("deadlines at the top level, up to the largest exact tick, fire once", () => {
    for (const deadline of [64 ** 8, 64 ** 8 + 64 ** 7 + 5, 2 ** 53 - 2]) {
      const wheel = new TimerWheel({ tickMs: 1, startMs: 0 });
      wheel.advance(37);
      wheel.schedule(1, deadline);
      expect(wheel.advance(deadline - 1)).toEqual([]);
      expect(wheel.advance(deadline)).toEqual([1]);
    }
  });

  test("past deadlines and deadlines within the current tick fire on the next advance", () => {
    const wheel = wheelAt();
    wheel.advance(10_050);
    wheel.schedule(1, 5_000);
    wheel.schedule(2, -Infinity);
    wheel.schedule(3, 10_050);
    wheel.schedule(4, 10_060);

    expect(wheel.advance(10_050)).toEqual([2, 1, 3]);
    expect(wheel.advance(10_059)).toEqual([]);
    expect(wheel.advance(10_060)).toEqual([4]);
  });

  test("an infinite deadline stays pending", () => {
    const wheel = wheelAt();
    wheel.schedule(1, Infinity);
    expect(wheel.advance(Number.MAX_VALUE)).toEqual([]);
    expect(wheel.size).toBe(1);
  });

  test("a million timers with random deadlines all fire once in deadline order", () => {
    const count = 1_000_000;
    const next = random(1);
    const wheel = wheelAt();
    const deadlines = new Float64Array(count + 1);
    for (let key = 1; key <= count; key++) {
      deadlines[key] = Math.floor(next() * 366 * DAY);
      wheel.schedule(key, deadlines[key]!);
    }

    const seen = new Uint8Array(count + 1);
    let fired = 0;
    let last = -Infinity;
    let problems = 0;
    for (let step = 1; step <= 1_000; step++) {
      const now = (step * 366 * DAY) / 1_000;
      for (const key of wheel.advance(now)) {
        const deadline = deadlines[key]!;
        if (seen[key] || deadline < last || deadline > now) problems++;
        seen[key] = 1;
        last = deadline;
        fired++;
      }
    }
    expect(problems).toBe(0);
    expect(fired).toBe(count);
    expect(wheel.size).toBe(0);
  });

  test("half of a million timers cancelled, the rest fire", () => {
    const count = 1_000_000;
    const next = random(2);
    const wheel = wheelAt();
    const handles: number[] = [];
    for (let key = 1; key <= count; key++) handles.push(wheel.schedule(key, next() * 30 * DAY));

    let cancelled = 0;
    for (let key = 2; key <= count; key += 2) if (wheel.cancel(handles[key - 1]!)) cancelled++;
    expect(cancelled).toBe(count / 2);
    expect(wheel.size).toBe(count / 2);

    const fired = wheel.advance(31 * DAY);
    expect(fired.length).toBe(count / 2);
    expect(fired.every((key) => key % 2 === 1)).toBe(true);
  });

  test("size tracks the pending count", () => {
    const wheel = wheelAt();
    expect(wheel.size).toBe(0);
    const first = wheel.schedule(1, 100);
    wheel.schedule(2, 200);
    wheel.schedule(3, 300);
    expect(wheel.size).toBe(3);

    wheel.cancel(first);
    wheel.cancel(first);
    expect(wheel.size).toBe(2);
    wheel.advance(200);
    expect(wheel.size).toBe(1);
    wheel.advance(1_000);
    expect(wheel.size).toBe(0);
  });

  test("nextDeadlineMs is never later than the earliest pending deadline", () => {
    const wheel = wheelAt();
    expect(wheel.nextDeadlineMs()).toBeNull();
    wheel.schedule(1, 3_000_050);
    wheel.schedule(2, 3_000_000 + 60 * DAY);

    // A caller that sleeps until nextDeadlineMs and advances reaches the deadline exactly.
    let wakeUps = 0;
    let now = 0;
    while (wheel.size === 2) {
      const next = wheel.nextDeadlineMs()!;
      expect(next).toBeLessThanOrEqual(3_000_050);
      now = Math.max(now, next);
      wheel.advance(now);
      wakeUps++;
    }
    expect(now).toBe(3_000_050);
    expect(wakeUps).toBeLessThanOrEqual(5);
    expect(wheel.nextDeadlineMs()).toBeLessThanOrEqual(3_000_000 + 60 * DAY);
  });

  test("rejects keys that are not positive integers and NaN times", () => {
    const wheel = wheelAt();
    expect(() => wheel.schedule(0, 100)).toThrow(RangeError);
    expect(() => wheel.schedule(1.5, 100)).toThrow(RangeError);
    expect(() => wheel.schedule(1, NaN)).toThrow(RangeError);
    expect(() => wheel.advance(NaN)).toThrow(RangeError);
  });

  test("agrees with a sorted-array reference model over random operations", () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const startMs = Math.floor(next() * 1e12);
      const wheel = new TimerWheel({ tickMs: [1, 7, 100, 1_000][seed % 4]!, startMs });
      const model: { key: number; deadline: number; handle: number }[] = [];
      const handles: number[] = [];
      let now = startMs;

      for (let op = 0; op < 3_000; op++) {
        const roll = next();
        if (roll < 0.45) {
          // Deadlines at every scale, from the past to years ahead.
          const scale = 10 ** Math.floor(next() * 12);
          const deadline = now + Math.floor((next() - 0.1) * scale);
          const handle = wheel.schedule(op + 1, deadline);
          model.push({ key: op + 1, deadline, handle });
          handles.push(handle);
        } else if (roll < 0.6 && handles.length > 0) {
          const handle = handles[Math.floor(next() * handles.length)]!;
          const index = model.findIndex((timer) => timer.handle === handle);
          if (index >= 0) model.splice(index, 1);
          expect(wheel.cancel(handle)).toBe(index >= 0);
        } else {
          const gap = roll < 0.98 ? next() * 10 ** Math.floor(next() * 8) : -next() * 1_000;
          now = Math.floor(now + gap);
          const due = model.filter((timer) => timer.deadline <= now);
          due.sort((a, b) => a.deadline - b.deadline || a.key - b.key);
          model.splice(0, model.length, ...model.filter((timer) => timer.deadline > now));
          expect({ seed, op, fired: wheel.advance(now) }).toEqual({
            seed,
            op,
            fired: due.map((timer) => timer.key),
          });
        }
        expect(wheel.size).toBe(model.length);
      }
    }
  });
});
