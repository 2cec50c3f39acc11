import { afterEach, beforeEach, expect, test } from "bun:test";
import { cleanup, render } from "ink-testing-library";
import { ManualClock } from "../src/domain/clock.ts";
import { App } from "../tui/components/App.tsx";
import { openWatchSource, type WatchSource } from "../tui/data/watch-source.ts";
import { plain } from "../tui/format/paint.ts";
import { formatLeft } from "../tui/format/time.ts";
import { WatchController } from "../tui/model/watch-controller.ts";
import { makeTuiDb, T0, type TuiDb } from "./helpers/tui-db.ts";
import { waitFor } from "./helpers/wait-for.ts";

const HOUR = 3_600_000;
let fixture: TuiDb;
let source: WatchSource | null = null;

beforeEach(() => {
  fixture = makeTuiDb();
});

afterEach(() => {
  cleanup();
  source?.close();
  fixture.cleanup();
});

/** Mounts the UI with a fast tick; answers the frames drawn and a way to let ticks pass. */
async function mount(clock: ManualClock) {
  source = openWatchSource(fixture.path);
  const controller = new WatchController(source, clock);
  const app = render(
    <App
      controller={controller}
      clock={clock}
      paint={plain}
      path={fixture.path}
      size={{ columns: 80, rows: 24 }}
      pollMs={10}
      tickMs={10}
    />,
  );
  await waitFor(() => app.lastFrame()?.includes("q quit"));
  // Let the recount that follows the first read happen before frames are counted.
  clock.advance(1000);
  await Bun.sleep(100);
  return app;
}

test("does not redraw when no text on screen changed with time", async () => {
  fixture.add({ name: "old", status: "completed", createdAt: T0 - 5 * HOUR });
  const clock = new ManualClock(T0);
  const app = await mount(clock);
  const drawn = app.frames.length;

  for (let i = 0; i < 5; i++) {
    clock.advance(1000);
    await Bun.sleep(40);
  }
  expect(app.frames.length).toBe(drawn);
  expect(app.lastFrame()).toContain("5h ago");

  clock.advance(HOUR);
  await waitFor(() => app.lastFrame()?.includes("6h ago"));
});

test("redraws each second while a countdown shows seconds", async () => {
  fixture.add({ name: "soon", createdAt: T0, timeoutSeconds: 120 });
  const clock = new ManualClock(T0 + 59_000);
  const app = await mount(clock);
  expect(app.lastFrame()).toContain("1m00s left");

  clock.advance(1000);
  await waitFor(() => app.lastFrame()?.includes("59s left"));
  clock.advance(1000);
  await waitFor(() => app.lastFrame()?.includes("58s left"));
});

test("counts down to the minute when the deadline is ten minutes away or more", () => {
  expect(formatLeft(59 * 60_000 + 30_000)).toBe("59m");
  expect(formatLeft(10 * 60_000)).toBe("10m");
  expect(formatLeft(10 * 60_000 - 1000)).toBe("9m59s");
  expect(formatLeft(2 * HOUR + 4 * 60_000 + 5000)).toBe("2h04m");
  expect(formatLeft(42_000)).toBe("42s");
});
