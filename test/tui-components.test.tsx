import { afterEach, describe, expect, test } from "bun:test";
import { cleanup, render } from "ink-testing-library";
import { ManualClock } from "../src/domain/clock.ts";
import { fieldLines } from "../tui/components/DetailView.tsx";
import { EventPane } from "../tui/components/EventPane.tsx";
import { Header } from "../tui/components/Header.tsx";
import { RunTable } from "../tui/components/RunTable.tsx";
import { StatusBadge } from "../tui/components/StatusBadge.tsx";
import type { WatchEvent, WatchRun } from "../tui/data/rows.ts";
import { painter, plain, wantsColor } from "../tui/format/paint.ts";
import { T0 } from "./helpers/tui-db.ts";

const colour = painter(true);
const mono = painter(false);
const ESC = "\x1b";
const anyColour = /\x1b\[(3[0-7]|9[0-7])m/;

// ink-testing-library keeps every instance mounted until told otherwise.
afterEach(cleanup);

function run(overrides: Partial<WatchRun> = {}): WatchRun {
  return {
    id: 7,
    name: "nightly-backup",
    version: "2.1.0",
    status: "completed",
    timeoutSeconds: 600,
    createdAt: T0 - 5 * 60_000,
    deadlineAt: T0 + 5 * 60_000,
    finishedAt: T0 - 5 * 60_000 + 65_000,
    lateEndAt: null,
    exitCode: 0,
    endMessage: null,
    eventCount: 3,
    eventsDropped: 0,
    expectedAt: null,
    missedWindows: null,
    ...overrides,
  };
}

function event(overrides: Partial<WatchEvent>): WatchEvent {
  return {
    id: 1,
    runId: 7,
    at: T0,
    kind: "log",
    message: "hello",
    truncated: false,
    stream: null,
    ...overrides,
  };
}

const lines = (frame: string | undefined) => (frame ?? "").split("\n");

describe("status rendering", () => {
  test("shows a symbol and a word in the status's colour", () => {
    const { lastFrame } = render(<StatusBadge status="failed" paint={colour} />);
    expect(lastFrame()).toBe(`${ESC}[31m✗ failed${ESC}[39m`);
  });

  test("without colour keeps the symbol and the word, and no colour escape at all", () => {
    const statuses = ["running", "completed", "failed", "cancelled", "timed_out"];
    const words = statuses.map((status) => {
      const frame = render(<StatusBadge status={status} paint={mono} />).lastFrame() ?? "";
      expect(frame).not.toMatch(anyColour);
      return frame;
    });
    expect(words).toEqual(["● running", "✓ completed", "✗ failed", "⊘ cancelled", "◷ timed out"]);
  });

  test("shows a status it does not know by its name, without failing", () => {
    const frame = render(<StatusBadge status="paused_by_operator" paint={colour} />).lastFrame();
    expect(frame).toBe("? paused by operator");
  });

  test("turns colour off for NO_COLOR and TERM=dumb, on for FORCE_COLOR", () => {
    expect(wantsColor({}, true)).toBe(true);
    expect(wantsColor({}, false)).toBe(false);
    expect(wantsColor({ NO_COLOR: "1" }, true)).toBe(false);
    expect(wantsColor({ NO_COLOR: "1", FORCE_COLOR: "1" }, true)).toBe(false);
    expect(wantsColor({ TERM: "dumb" }, true)).toBe(false);
    expect(wantsColor({ FORCE_COLOR: "1" }, false)).toBe(true);
    expect(wantsColor({ FORCE_COLOR: "0" }, true)).toBe(false);
  });
});

describe("the runs table", () => {
  const runs = [
    run({ id: 9, name: "transcode", status: "running", finishedAt: null, createdAt: T0 - 150_000 }),
    run({ id: 8, name: "etl", status: "failed", version: null }),
    run({ id: 7 }),
  ];

  test("lists id, name, version, status, start and duration, exactly its height", () => {
    const frame = render(
      <RunTable
        runs={runs}
        selectedId={8}
        height={5}
        width={80}
        now={T0}
        paint={plain}
        filtered={false}
      />,
    ).lastFrame();
    const shown = lines(frame);
    expect(shown).toHaveLength(6);
    expect(shown[0]).toMatch(/^ +ID NAME +VERSION +STATUS +STARTED +DURATION \/ LEFT/);
    expect(shown[1]).toMatch(/^ +9 transcode +2\.1\.0 +● running +2m ago +██░░░░ 5m00s left/);
    expect(shown[2]).toMatch(/^› +8 etl +- +✗ failed +5m ago +1m05s/);
    expect(shown[3]).toMatch(/^ +7 nightly-backup +2\.1\.0 +✓ completed +5m ago +1m05s/);
    expect(shown.every((line) => Bun.stringWidth(line) <= 80)).toBe(true);
  });

  test("marks the selected run in inverse as well as with the marker", () => {
    const frame = render(
      <RunTable
        runs={runs}
        selectedId={8}
        height={3}
        width={80}
        now={T0}
        paint={colour}
        filtered={false}
      />,
    ).lastFrame();
    const selected = lines(frame)[2] ?? "";
    expect(selected.startsWith(`${ESC}[7m›`)).toBe(true);
    expect(selected).toContain(`${ESC}[31m✗ failed${ESC}[39m`);
  });

  test("says overdue past the deadline, and that nothing matches a filter", () => {
    const late = run({ status: "running", finishedAt: null, deadlineAt: T0 - 1000 });
    const overdue = render(
      <RunTable
        runs={[late]}
        selectedId={7}
        height={2}
        width={80}
        now={T0}
        paint={plain}
        filtered={false}
      />,
    ).lastFrame();
    expect(overdue).toContain("██████ overdue");

    const empty = render(
      <RunTable
        runs={[]}
        selectedId={null}
        height={2}
        width={80}
        now={T0}
        paint={plain}
        filtered
      />,
    ).lastFrame();
    expect(empty).toContain("no runs match the filter (Esc clears it)");
  });

  test("cuts a long or wide name to its column instead of pushing the others", () => {
    const wide = run({ name: "非常に長いジョブの名前".repeat(4) });
    const frame = render(
      <RunTable
        runs={[wide]}
        selectedId={7}
        height={1}
        width={80}
        now={T0}
        paint={plain}
        filtered={false}
      />,
    ).lastFrame();
    const row = lines(frame)[1] ?? "";
    expect(Bun.stringWidth(row)).toBeLessThanOrEqual(80);
    expect(row).toContain("…");
    expect(row).toMatch(/✓ completed +5m ago +1m05s$/);
  });
});

describe("the event pane", () => {
  const events = [
    event({ id: 1, kind: "status", message: "running (timeout 600s)" }),
    event({ id: 2, message: "copying 3 files" }),
    event({ id: 3, stream: "stderr", message: "disk almost full" }),
    event({ id: 4, kind: "rejected", message: "fail refused: the run is already completed" }),
    event({ id: 5, kind: "status", message: "completed" }),
  ];

  test("tells messages, stderr lines, state changes and refusals apart by word", () => {
    const frame = render(
      <EventPane run={run()} events={events} height={5} width={80} paint={plain} />,
    ).lastFrame();
    const shown = lines(frame)
      .slice(1)
      .map((line) => line.replace(/^\d\d:\d\d:\d\d /, ""));
    expect(shown).toEqual([
      expect.stringMatching(/^state +→ running \(timeout 600s\)/),
      expect.stringMatching(/^log +copying 3 files/),
      expect.stringMatching(/^stderr +disk almost full/),
      expect.stringMatching(/^refused +⊘ fail refused: the run is already completed/),
      expect.stringMatching(/^state +→ completed/),
    ]);
  });

  test("draws stderr lines in red when colours are on", () => {
    const frame = render(
      <EventPane run={run()} events={[events[2]!]} height={1} width={80} paint={colour} />,
    ).lastFrame();
    expect(frame).toContain(`${ESC}[31mdisk almost full${ESC}[39m`);
  });

  test("never passes a job's escape sequences or control characters to the terminal", () => {
    const hostile = event({
      message: `a${ESC}]0;owned${"\x07"}b${ESC}[2J${ESC}[31mc\rd\x00e\nsecond`,
    });
    const frame = render(
      <EventPane run={run()} events={[hostile]} height={1} width={80} paint={plain} />,
    ).lastFrame();
    expect(frame).not.toContain(ESC);
    // Controls are shown, colours dropped; a lone carriage return (a progress bar redrawing
    // itself) counts as a line break.
    expect(lines(frame)[1]).toMatch(/log +a\\x1b\]0;owned\\x07b\\x1b\[2Jc ⏎ d\\x00e ⏎ second/);
  });
});

describe("the header", () => {
  const counts = [
    { status: "running", count: 2 },
    { status: "completed", count: 120 },
    { status: "failed", count: 3 },
    { status: "cancelled", count: 0 },
    { status: "timed_out", count: 1 },
  ];

  test("shows the database, the badges, the counts per status over the window and the rate", () => {
    const frame = render(
      <Header
        path="/var/lib/statusbox/statusbox.db"
        counts={counts}
        window="24h"
        ratePerMinute={42}
        badges={["following"]}
        width={100}
        paint={plain}
      />,
    ).lastFrame();
    const [first, second] = lines(frame);
    expect(first).toMatch(/^StatusBox \/var\/lib\/statusbox\/statusbox\.db +following$/);
    expect(second).toBe(
      "24h  ● running 2  ✓ completed 120  ✗ failed 3  ⊘ cancelled 0  ◷ timed out 1  " +
        "│ 42 events/min",
    );
  });

  test("keeps the symbols and drops the words when the terminal is narrow", () => {
    const frame = render(
      <Header
        path="/x.db"
        counts={counts}
        window="7d"
        ratePerMinute={0}
        badges={[]}
        width={80}
        paint={plain}
      />,
    ).lastFrame();
    expect(lines(frame)[1]).toBe("7d   ●2  ✓120  ✗3  ⊘0  ◷1  │ 0 events/min");
  });
});

test("relative times use the clock they are given", () => {
  const clock = new ManualClock(T0);
  const frame = render(
    <RunTable
      runs={[run({ createdAt: clock.now() - 3 * 3_600_000 })]}
      selectedId={null}
      height={1}
      width={80}
      now={clock.now()}
      paint={plain}
      filtered={false}
    />,
  ).lastFrame();
  expect(frame).toContain("3h ago");
});

describe("the detail view's fields", () => {
  test("a missed run shows when a run was expected and how many windows it stands for", () => {
    const expectedAt = T0 - 20 * 60_000;
    const missed = run({ status: "missed", timeoutSeconds: 0, expectedAt, missedWindows: 3 });
    const lines = fieldLines(missed, T0, plain).join("\n");
    expect(lines).toMatch(
      /expected +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} .*\(20m ago\) · 3 missed windows/,
    );
    expect(lines).not.toContain("timeout");
  });

  test("a run that was started shows its timeout and deadline instead", () => {
    const lines = fieldLines(run(), T0, plain).join("\n");
    expect(lines).toMatch(/timeout +600s · deadline/);
    expect(lines).not.toContain("expected");
  });
});
