import { describe, expect, test } from "bun:test";
import { formatDuration, formatLeft } from "../tui/format/time.ts";

describe("durations in the terminal UI", () => {
  test("read with tenths below ten seconds, then in whole units, two at most", () => {
    expect(formatDuration(850)).toBe("850ms");
    expect(formatDuration(1922)).toBe("1.9s");
    expect(formatDuration(9999)).toBe("9.9s");
    expect(formatDuration(42_000)).toBe("42s");
    expect(formatDuration(185_000)).toBe("3m05s");
    expect(formatDuration(7_440_000)).toBe("2h04m");
    expect(formatDuration(-5)).toBe("0ms");
  });

  test("time left counts down in whole seconds, then minutes beyond ten", () => {
    expect(formatLeft(1922)).toBe("1s");
    expect(formatLeft(944)).toBe("<1s");
    expect(formatLeft(42_500)).toBe("42s");
    expect(formatLeft(252_000)).toBe("4m12s");
    expect(formatLeft(58 * 60_000 + 30_000)).toBe("58m");
  });
});
