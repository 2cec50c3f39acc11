import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { cleanup, render } from "ink-testing-library";
import { ManualClock } from "../src/domain/clock.ts";
import { specOf } from "../src/schedules/spec.ts";
import { ScheduleStore } from "../src/storage/schedule-store.ts";
import { App } from "../tui/components/App.tsx";
import { MAX_NAMES } from "../tui/data/name-list.ts";
import { openWatchSource } from "../tui/data/watch-source.ts";
import type { NameRow } from "../src/schedules/name-view.ts";
import { nameLine } from "../tui/format/name-cells.ts";
import { plain } from "../tui/format/paint.ts";
import { moveNames, settleNames } from "../tui/model/names-nav.ts";
import { WatchController } from "../tui/model/watch-controller.ts";
import { makeTuiDb, T0, type TuiDb } from "./helpers/tui-db.ts";
import { waitFor } from "./helpers/wait-for.ts";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const KEY = { down: "\x1b[B", enter: "\r", escape: "\x1b" };

let fixture: TuiDb;
let closeSource: () => void = () => {};

beforeEach(() => {
  fixture = makeTuiDb();
  // backup: three completed runs (1, 2 and 4 minutes), one failed; backup-db contains its name.
  for (const [ago, minutes, status] of [
    [30 * HOUR, 4, "completed"],
    [3 * HOUR, 1, "failed"],
    [2 * HOUR, 2, "completed"],
    [HOUR, 1, "completed"],
  ] as const) {
    const createdAt = T0 - ago;
    fixture.add({ name: "backup", status, createdAt, finishedAt: createdAt + minutes * MINUTE });
  }
  fixture.add({ name: "backup-db", status: "missed", createdAt: T0 - 10 * MINUTE });
  const spec = specOf({ cron: "0 13 * * *", grace: "15m" });
  if ("error" in spec) throw new Error(spec.error);
  const window = { opensAt: T0 - 23 * HOUR + 15 * MINUTE, expectedAt: T0 + HOUR };
  new ScheduleStore(fixture.db).upsert({ name: "nightly", spec, source: "api", window, at: T0 });
});

afterEach(() => {
  cleanup();
  closeSource();
  fixture.cleanup();
});

function mount() {
  const source = openWatchSource(fixture.path);
  closeSource = () => source.close();
  const clock = new ManualClock(T0);
  const controller = new WatchController(source, clock);
  const size = { columns: 80, rows: 24 };
  const app = render(
    <App
      controller={controller}
      clock={clock}
      paint={plain}
      path={fixture.path}
      size={size}
      pollMs={20}
    />,
  );
  const frame = () => app.lastFrame() ?? "";
  const press = async (key: string, until: (text: string) => boolean) => {
    app.stdin.write(key);
    const what = `frame after ${JSON.stringify(key)}`;
    return waitFor(() => (until(frame()) ? frame() : null), { what });
  };
  return { frame, press, clock };
}

describe("the names view of statusbox watch", () => {
  test("n switches from the runs to one line per job name, with its figures", async () => {
    const { frame, press } = mount();
    await waitFor(() => frame().includes("backup-db"));
    const text = await press("n", (t) => t.includes("3 job names"));
    const lines = text.split("\n");
    expect(lines).toHaveLength(24);
    expect(lines.every((line) => Bun.stringWidth(line) <= 80)).toBe(true);
    expect(lines[2]).toMatch(/^ +NAME +LAST RUN +LAST OK +24H +7D +P50 +P95 +NEXT/);
    // Last run 1 h ago and completed; 24 h: 3 runs, 1 failure; 7 d: 4 and 1; p50 2 min, p95 4.
    expect(lines[3]).toMatch(/^› backup +✓ 1h ago +59m ago +3\/1 +4\/1 +2m00s +4m00s +-/);
    expect(lines[4]).toMatch(/^ +backup-db +! 10m ago +never +1\/1 +1\/1 +- +- +-/);
    expect(lines[5]).toMatch(/^ +nightly +- +never +0\/0 +0\/0 +- +- +in 1h00m/);
    expect(lines[22]).toContain("24H and 7D are runs/failures");
    expect(lines[23]).toContain("⏎ runs of the name");
  });

  test("Enter on a name lists its runs: exactly that name, not names that contain it", async () => {
    const { frame, press } = mount();
    await waitFor(() => frame().includes("backup-db"));
    await press("n", (t) => t.includes("3 job names"));
    const runs = await press(KEY.enter, (t) => t.includes("name = backup") && t.includes("q quit"));
    const rows = runs.split("\n").filter((line) => /^[› ] +\d+ /.test(line));
    expect(rows).toHaveLength(4);
    expect(rows.every((line) => /\d+ backup +/.test(line))).toBe(true);
    expect(runs).not.toContain("backup-db");

    // Esc clears the filter, n goes back to the names with the cursor where it was.
    await press(KEY.escape, (t) => t.includes("backup-db") && !t.includes("name = backup"));
    const names = await press("n", (t) => t.includes("3 job names"));
    expect(names).toMatch(/^› backup /m);
  });

  test("the cursor moves over names, and Esc goes back to the runs", async () => {
    const { frame, press } = mount();
    await waitFor(() => frame().includes("backup-db"));
    await press("n", (t) => t.includes("3 job names"));
    await press(KEY.down, (t) => /^› backup-db/m.test(t));
    await press("j", (t) => /^› nightly/m.test(t));
    await press("j", (t) => /^› nightly/m.test(t)); // the last name stays selected
    await press(KEY.escape, (t) => t.includes("DURATION / LEFT"));
  });

  test("s and f do nothing in the names view: they belong to the runs table it hides", async () => {
    const { frame, press } = mount();
    await waitFor(() => frame().includes("backup-db"));
    const before = frame().split("\n")[0];
    await press("n", (t) => t.includes("3 job names"));
    await press("s", (t) => t.includes("3 job names"));
    await press("f", (t) => t.includes("3 job names"));
    const runs = await press(KEY.escape, (t) => t.includes("DURATION / LEFT"));
    expect(runs).not.toContain("status:");
    expect(runs.split("\n")[0]).toBe(before);
  });

  test("past 10,000 names it lists the first 10,000 and says there are more", async () => {
    const total = MAX_NAMES + 1;
    fixture.db.transaction(() => fixture.addMany(total, (i) => ({ name: `job-${i}` })))();
    const { press } = mount();
    const text = await press("n", (t) => t.includes("job names of more"));
    expect(text).toContain(`the first ${MAX_NAMES} job names of more (/ in the runs finds any)`);
  });

  test("the last line shows the selected name's schedule, when it has one", async () => {
    const { frame, press } = mount();
    await waitFor(() => frame().includes("backup-db"));
    const first = await press("n", (t) => t.includes("3 job names"));
    expect(first.split("\n")[22]).toMatch(/^ +3 job names; 24H and 7D/);

    const text = await press("G", (t) => /^› nightly/m.test(t));
    const summary = text.split("\n")[22]!;
    expect(summary).toMatch(/^ +nightly: cron 0 13 \* \* \* \(UTC\), grace 15m · 3 job names/);
    expect(Bun.stringWidth(summary)).toBeLessThanOrEqual(80);
  });

  test("a name that appears while the view is shown is listed at once", async () => {
    const { frame, press } = mount();
    await waitFor(() => frame().includes("backup-db"));
    await press("n", (t) => t.includes("3 job names"));
    fixture.add({ name: "alpha", status: "running", createdAt: T0 - MINUTE });
    const text = await waitFor(() => (frame().includes("4 job names") ? frame() : null));
    expect(text).toMatch(/^ +alpha +● 1m ago +never +1\/0/m);
    expect(text).toMatch(/^› backup /m); // the cursor stays on its name
  });
});

describe("the names view over time", () => {
  test("the next expected time counts down with the clock alone, no write needed", async () => {
    const { frame, press, clock } = mount();
    await waitFor(() => frame().includes("backup-db"));
    await press("n", (t) => t.includes("3 job names"));
    expect(frame()).toMatch(/^ +nightly .* in 1h00m/m);
    // The header may recount once the clock moves (counts due since start-up), which redraws
    // everything; after that, only the time signature can cause a redraw.
    clock.advance(2000);
    await Bun.sleep(300);
    clock.advance(2000);
    await waitFor(() => (/in 59m56s/.test(frame()) ? frame() : null));
  });
});

describe("a name's line", () => {
  const row = (runs: number, failures: number): NameRow => ({
    name: "busy",
    lastRun: null,
    lastSuccess: null,
    day: { runs, failures },
    week: { runs: runs * 7, failures: failures * 7 },
    durations: null,
    schedule: null,
    window: null,
  });

  test("counts too long for their column are shortened, keeping the failures", () => {
    const line = nameLine(row(1166, 104), T0, 100, plain, false);
    expect(line).toMatch(/ 1166\/104 +8162\/728 /);
    const busier = nameLine(row(123_456, 10_250), T0, 100, plain, false);
    expect(busier).toMatch(/ 123k\/10k +864k\/72k /);
    expect(Bun.stringWidth(busier)).toBe(100);
  });
});

describe("moving over names", () => {
  const names = Array.from({ length: 10 }, (_, i) => `job-${i}`);
  const at = (index: number, top: number) => ({ name: names[index]!, index, top });

  test("keeps the cursor inside the list and on screen", () => {
    expect(moveNames(at(0, 0), "up", names, 4)).toEqual(at(0, 0));
    expect(moveNames(at(3, 0), "down", names, 4)).toEqual(at(4, 1));
    expect(moveNames(at(4, 1), "pageDown", names, 4)).toEqual(at(8, 5));
    expect(moveNames(at(8, 5), "bottom", names, 4)).toEqual(at(9, 6));
    expect(moveNames(at(9, 6), "top", names, 4)).toEqual(at(0, 0));
    expect(settleNames({ name: null, index: 9, top: 6 }, names.slice(0, 3), 4)).toEqual({
      name: "job-2",
      index: 2,
      top: 0,
    });
    expect(settleNames({ name: null, index: 0, top: 0 }, [], 4)).toEqual({
      name: null,
      index: 0,
      top: 0,
    });
  });

  test("stays on its name when a name is sorted in above it", () => {
    const before = settleNames({ name: "job-5", index: 5, top: 3 }, names, 4);
    expect(settleNames(before, ["job-00", ...names], 4)).toEqual({
      name: "job-5",
      index: 6,
      top: 3,
    });
  });
});
