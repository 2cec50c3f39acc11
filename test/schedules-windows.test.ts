import { describe, expect, test } from "bun:test";
import { Cadence } from "../src/schedules/cadence.ts";
import type { ScheduleSpec, ScheduleWindow } from "../src/schedules/schedule.ts";
import { specOf } from "../src/schedules/spec.ts";
import { closeWindows, MAX_WINDOWS_WALKED, type RunLookup } from "../src/schedules/windows.ts";

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const MIN = 60_000;
const HOUR = 60 * MIN;

function spec(fields: Parameters<typeof specOf>[0]): ScheduleSpec {
  const result = specOf(fields);
  if ("error" in result) throw new Error(result.error);
  return result;
}

/** Runs created at the given times, as the checker's lookup sees them. */
function runsAt(...times: number[]): RunLookup {
  return {
    lastRunIn: (after, upTo) => {
      const inside = times.filter((t) => t > after && t <= upTo);
      return inside.length === 0 ? null : Math.max(...inside);
    },
  };
}

/** The expected times of a schedule from `from` on, window after window, with no runs. */
function expectedTimes(s: ScheduleSpec, from: string, count: number): string[] {
  const cadence = new Cadence(s);
  let window: ScheduleWindow = cadence.first(at(from));
  const times: string[] = [];
  for (let i = 0; i < count; i++) {
    times.push(iso(window.expectedAt)!);
    window = cadence.next(window, null);
  }
  return times;
}

describe("cron schedules in a time zone", () => {
  const berlin3am = spec({ cron: "0 3 * * *", tz: "Europe/Berlin", grace: "15m" });

  test("expect each matching time on the zone's clock, across the spring-forward change", () => {
    // Berlin moves from UTC+1 to UTC+2 at 02:00 on Sunday 29 March 2026.
    expect(expectedTimes(berlin3am, "2026-03-27T12:00:00Z", 4)).toEqual([
      "2026-03-28T02:00:00.000Z",
      "2026-03-29T01:00:00.000Z",
      "2026-03-30T01:00:00.000Z",
      "2026-03-31T01:00:00.000Z",
    ]);
  });

  test("expect each matching time on the zone's clock, across the fall-back change", () => {
    // Berlin moves back from UTC+2 to UTC+1 at 03:00 on Sunday 25 October 2026.
    expect(expectedTimes(berlin3am, "2026-10-23T12:00:00Z", 3)).toEqual([
      "2026-10-24T01:00:00.000Z",
      "2026-10-25T02:00:00.000Z",
      "2026-10-26T02:00:00.000Z",
    ]);
  });

  test("a fixed time inside the spring-forward gap is expected at the first time after it", () => {
    const s = spec({ cron: "30 2 * * *", tz: "Europe/Berlin" });
    // 02:30 does not exist on 29 March; croner runs it at 03:00 CEST, 01:00 UTC.
    expect(expectedTimes(s, "2026-03-28T12:00:00Z", 2)).toEqual([
      "2026-03-29T01:00:00.000Z",
      "2026-03-30T00:30:00.000Z",
    ]);
  });

  test("a fixed time in the repeated hour is expected once, at its first pass", () => {
    const s = spec({ cron: "30 2 * * *", tz: "Europe/Berlin" });
    expect(expectedTimes(s, "2026-10-24T12:00:00Z", 2)).toEqual([
      "2026-10-25T00:30:00.000Z",
      "2026-10-26T01:30:00.000Z",
    ]);
  });

  test("an interval expression is expected in both passes of the repeated hour", () => {
    const s = spec({ cron: "*/30 2 * * *", tz: "Europe/Berlin" });
    expect(expectedTimes(s, "2026-10-24T12:00:00Z", 5)).toEqual([
      "2026-10-25T00:00:00.000Z",
      "2026-10-25T00:30:00.000Z",
      "2026-10-25T01:00:00.000Z",
      "2026-10-25T01:30:00.000Z",
      "2026-10-26T01:00:00.000Z",
    ]);
  });

  test("a daily run at 03:00 local time on each day around the change is never missed", () => {
    const cadence = new Cadence(berlin3am);
    const start = cadence.first(at("2026-03-27T12:00:00Z"));
    // Each run starts two minutes after 03:00 on the Berlin clock.
    const runs = runsAt(
      at("2026-03-28T02:02:00Z"),
      at("2026-03-29T01:02:00Z"),
      at("2026-03-30T01:02:00Z"),
    );
    const check = closeWindows(cadence, berlin3am.graceMs, start, at("2026-03-30T12:00:00Z"), runs);
    expect(check.missed).toBe(0);
    expect(iso(check.window.expectedAt)).toBe("2026-03-31T01:00:00.000Z");
  });

  test("a run at 03:00 winter time on the day of the change is an hour late and missed", () => {
    const cadence = new Cadence(berlin3am);
    const start = cadence.first(at("2026-03-28T12:00:00Z"));
    // A host still on UTC+1 starts the job at 02:00 UTC, 04:00 CEST: past the 15 minutes.
    const runs = runsAt(at("2026-03-29T02:00:00Z"));
    const check = closeWindows(cadence, berlin3am.graceMs, start, at("2026-03-29T01:15:00Z"), runs);
    expect(check.missed).toBe(1);
    expect(iso(check.lastMissedAt)).toBe("2026-03-29T01:00:00.000Z");
  });
});

describe("the missed-window rule", () => {
  const hourly = spec({ cron: "0 * * * *", grace: "10m" });
  const cadence = new Cadence(hourly);
  const start = cadence.first(at("2026-01-01T09:30:00Z"));

  test("nothing is judged before the window closes at the expected time plus grace", () => {
    const check = closeWindows(
      cadence,
      hourly.graceMs,
      start,
      at("2026-01-01T10:09:59Z"),
      runsAt(),
    );
    expect(check).toMatchObject({ missed: 0, window: start });
  });

  test("a run inside the window, late but within grace, prevents a missed run", () => {
    const runs = runsAt(at("2026-01-01T10:09:00Z"));
    const check = closeWindows(cadence, hourly.graceMs, start, at("2026-01-01T10:10:00Z"), runs);
    expect(check.missed).toBe(0);
    expect(iso(check.window.expectedAt)).toBe("2026-01-01T11:00:00.000Z");
  });

  test("a run started a little early counts for the coming expected time", () => {
    const runs = runsAt(at("2026-01-01T09:59:50Z"));
    const check = closeWindows(cadence, hourly.graceMs, start, at("2026-01-01T10:10:00Z"), runs);
    expect(check.missed).toBe(0);
  });

  test("no run in the window makes exactly one missed window", () => {
    const check = closeWindows(
      cadence,
      hourly.graceMs,
      start,
      at("2026-01-01T10:10:00Z"),
      runsAt(),
    );
    expect(check.missed).toBe(1);
    expect(iso(check.firstMissedAt)).toBe("2026-01-01T10:00:00.000Z");
  });

  test("one run never answers for two expected times: windows do not overlap", () => {
    // 10:05 belongs to 10:00; nothing started for 11:00.
    const runs = runsAt(at("2026-01-01T10:05:00Z"));
    const check = closeWindows(cadence, hourly.graceMs, start, at("2026-01-01T11:10:00Z"), runs);
    expect(check.missed).toBe(1);
    expect(iso(check.lastMissedAt)).toBe("2026-01-01T11:00:00.000Z");
  });

  test("a run that starts after its window closed counts for the next expected time", () => {
    const runs = runsAt(at("2026-01-01T10:20:00Z"));
    const first = closeWindows(cadence, hourly.graceMs, start, at("2026-01-01T10:10:00Z"), runs);
    expect(first.missed).toBe(1);
    const second = closeWindows(
      cadence,
      hourly.graceMs,
      first.window,
      at("2026-01-01T11:10:00Z"),
      runs,
    );
    expect(second.missed).toBe(0);
  });

  test("windows that closed together are judged together, with their count and range", () => {
    const runs = runsAt(at("2026-01-01T11:01:00Z"));
    const check = closeWindows(cadence, hourly.graceMs, start, at("2026-01-01T14:05:00Z"), runs);
    expect(check.missed).toBe(3); // 10:00, 12:00, 13:00; 11:00 had its run, 14:00 is open
    expect(iso(check.firstMissedAt)).toBe("2026-01-01T10:00:00.000Z");
    expect(iso(check.lastMissedAt)).toBe("2026-01-01T13:00:00.000Z");
    expect(iso(check.window.expectedAt)).toBe("2026-01-01T14:00:00.000Z");
    expect(check.atLeast).toBe(false);
  });

  test("a long gap on a minutely cron schedule is counted up to a limit, then skipped", () => {
    const minutely = spec({ cron: "* * * * *", grace: "1m" });
    const c = new Cadence(minutely);
    const from = c.first(at("2026-01-01T00:00:00Z"));
    const now = at("2026-01-03T00:00:30Z"); // two days: nearly 2,880 windows closed
    const check = closeWindows(c, minutely.graceMs, from, now, runsAt());
    expect(check.atLeast).toBe(true);
    expect(check.missed).toBe(MAX_WINDOWS_WALKED);
    expect(iso(check.window.expectedAt)).toBe("2026-01-03T00:00:00.000Z");
    expect(check.window.expectedAt + minutely.graceMs).toBeGreaterThan(now);
  });
});

describe("period schedules", () => {
  const every = spec({ every: "1h", grace: "5m" });
  const cadence = new Cadence(every);
  const t0 = at("2026-01-01T00:00:00Z");

  test("the first run is expected one period after the schedule is set", () => {
    expect(cadence.first(t0)).toEqual({ opensAt: t0, expectedAt: t0 + HOUR });
  });

  test("the next run is expected one period after the last run", () => {
    const runs = runsAt(t0 + 50 * MIN);
    const check = closeWindows(
      cadence,
      every.graceMs,
      cadence.first(t0),
      t0 + HOUR + 5 * MIN,
      runs,
    );
    expect(check.missed).toBe(0);
    expect(check.window).toEqual({ opensAt: t0 + 50 * MIN, expectedAt: t0 + 110 * MIN });
  });

  test("a run that drifts later each time is not missed while within grace", () => {
    const runs = runsAt(t0 + 62 * MIN, t0 + 124 * MIN, t0 + 186 * MIN);
    const check = closeWindows(cadence, every.graceMs, cadence.first(t0), t0 + 4 * HOUR, runs);
    expect(check.missed).toBe(0);
  });

  test("after a window without a run, the next is expected one period on", () => {
    const check = closeWindows(cadence, every.graceMs, cadence.first(t0), t0 + 65 * MIN, runsAt());
    expect(check.missed).toBe(1);
    expect(check.window).toEqual({ opensAt: t0 + 65 * MIN, expectedAt: t0 + 2 * HOUR });
  });

  test("a long gap is counted exactly in one step", () => {
    const now = t0 + 1000 * 24 * HOUR + 30 * MIN; // a thousand days: 24,000 windows
    const check = closeWindows(cadence, every.graceMs, cadence.first(t0), now, runsAt());
    expect(check).toMatchObject({ missed: 24_000, atLeast: false });
    expect(check.firstMissedAt).toBe(t0 + HOUR);
    expect(check.lastMissedAt).toBe(t0 + 24_000 * HOUR);
    expect(check.window.expectedAt).toBe(t0 + 24_001 * HOUR);
  });

  test("windows stay one real hour apart across both daylight-saving changes", () => {
    // The host's own zone must not matter: run as if it were on Berlin's clock.
    const hostZone = process.env.TZ;
    process.env.TZ = "Europe/Berlin";
    try {
      // 00:30 UTC is 01:30 CET; an hour later the Berlin clock reads 03:30 CEST.
      expect(expectedTimes(every, "2026-03-29T00:30:00Z", 4)).toEqual([
        "2026-03-29T01:30:00.000Z",
        "2026-03-29T02:30:00.000Z",
        "2026-03-29T03:30:00.000Z",
        "2026-03-29T04:30:00.000Z",
      ]);
      // 00:30 UTC is 02:30 CEST; two hours later the Berlin clock reads 03:30 CET again.
      expect(expectedTimes(every, "2026-10-25T00:30:00Z", 4)).toEqual([
        "2026-10-25T01:30:00.000Z",
        "2026-10-25T02:30:00.000Z",
        "2026-10-25T03:30:00.000Z",
        "2026-10-25T04:30:00.000Z",
      ]);
    } finally {
      if (hostZone === undefined) delete process.env.TZ;
      else process.env.TZ = hostZone;
    }
  });

  test("down to one second", () => {
    const second = spec({ every: "1s", grace: "1s" });
    const c = new Cadence(second);
    const check = closeWindows(c, second.graceMs, c.first(t0), t0 + 10_000, runsAt(t0 + 500));
    expect(check.missed).toBe(8); // 1.5 s had the run; 2.5 s .. 9.5 s did not
  });
});
