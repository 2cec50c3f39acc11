import { expect, test } from "bun:test";
import { groupUsage, overview } from "../src/cli/main.ts";
import { COMMANDS } from "../src/cli/commands/index.ts";

/** The width of the terminal a person reads `statusbox --help` in, at the least. */
const WIDTH = 80;

test("statusbox --help fits in 80 columns, every summary on its one line", () => {
  const lines = overview().split("\n");
  const tooWide = lines.filter((line) => line.length > WIDTH);
  expect(tooWide).toEqual([]);
  for (const command of COMMANDS) {
    // A summary is a phrase of its own: no line of it is left for the next row to finish.
    expect(lines.some((line) => line.endsWith(command.summary))).toBe(true);
    expect(command.summary).not.toMatch(/[,;:]$|\b(and|or|what|went|the)$/);
  }
});

test("each group's usage fits in 80 columns too", () => {
  const groups = new Set(COMMANDS.filter((c) => c.path.length > 1).map((c) => c.path[0]!));
  for (const group of groups) {
    for (const line of groupUsage(group).split("\n"))
      expect(line.length).toBeLessThanOrEqual(WIDTH);
  }
});
