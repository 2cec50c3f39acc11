import { describe, expect, test } from "bun:test";
import { ManualClock } from "../src/domain/clock.ts";
import { SharedWheel } from "../src/scheduler/shared-wheel.ts";
import { startTestDaemon } from "./helpers/daemon.ts";
import { waitFor } from "./helpers/wait-for.ts";

const T0 = Date.parse("2026-06-01T00:00:00.000Z");

describe("one timer wheel for every kind of timer", () => {
  test("one tick fires each kind's due timers, and each kind hears only its own ids", () => {
    const clock = new ManualClock(T0);
    const wheel = new SharedWheel(clock, 100);
    const heard = { deadlines: [] as number[][], windows: [] as number[][] };
    const deadlines = wheel.timers("deadline", (ids) => heard.deadlines.push(ids));
    const windows = wheel.timers("schedule", (ids) => heard.windows.push(ids));

    deadlines.arm(7, T0 + 1000);
    windows.arm(7, T0 + 1000); // the same id in another kind is another timer
    windows.arm(8, T0 + 5000);
    deadlines.arm(9, T0 + 200);
    expect([wheel.size, deadlines.size, windows.size]).toEqual([4, 2, 2]);
    expect(wheel.sizes()).toEqual([
      { kind: "deadline", size: 2 },
      { kind: "schedule", size: 2 },
    ]);

    clock.advance(1000);
    wheel.tick();
    expect(heard).toEqual({ deadlines: [[9, 7]], windows: [[7]] });
  });

  test("disarming one kind's timer leaves the other kind's timer of the same id", () => {
    const clock = new ManualClock(T0);
    const wheel = new SharedWheel(clock, 100);
    const fired: string[] = [];
    const a = wheel.timers("a", (ids) => fired.push(...ids.map((id) => `a${id}`)));
    const b = wheel.timers("b", (ids) => fired.push(...ids.map((id) => `b${id}`)));
    a.arm(1, T0 + 100);
    b.arm(1, T0 + 100);
    a.disarm(1);
    b.arm(2, T0 + 100);
    b.arm(2, T0 + 300); // arming again moves the timer
    clock.advance(100);
    wheel.tick();
    expect(fired).toEqual(["b1"]);
    clock.advance(200);
    wheel.tick();
    expect(fired).toEqual(["b1", "b2"]);
    expect(wheel.size).toBe(0);
  });

  test("refuses ids the wheel's keys cannot hold exactly", () => {
    const wheel = new SharedWheel(new ManualClock(T0));
    const timers = wheel.timers("any", () => {});
    expect(() => timers.arm(-1, T0)).toThrow(RangeError);
    expect(() => timers.arm(1.5, T0)).toThrow(RangeError);
    expect(() => timers.arm(Number.MAX_SAFE_INTEGER, T0)).toThrow(RangeError);
  });
});

test("in the daemon, the run deadlines and the schedule windows are driven by the same wheel", async () => {
  const clock = new ManualClock(T0);
  const daemon = await startTestDaemon({ clock });
  try {
    daemon.scheduler.stop(); // ticks below are the test's own (it stops the shared interval)
    const put = await daemon.request("/api/schedules/hourly", {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ every: "1m", grace: "30s" }),
    });
    expect(put.status).toBe(201);
    await daemon.post("/api/jobs/", { name: "slow", timeoutSeconds: 60 });

    // One tick of the deadline scheduler, after both a deadline and a window have passed.
    clock.advance(120_000);
    expect(daemon.scheduler.tick()).toHaveLength(1);
    const statuses = async () => {
      const body = (await (await daemon.request("/api/jobs")).json()) as {
        jobs: { name: string; status: string }[];
      };
      return body.jobs.map((job) => `${job.name} ${job.status}`).sort();
    };
    await waitFor(async () => ((await statuses()).length === 2 ? true : null));
    expect(await statuses()).toEqual(["hourly missed", "slow timed_out"]);
  } finally {
    await daemon.close();
  }
});
