import { afterEach, beforeEach, expect, test } from "bun:test";
import { cleanup, render } from "ink-testing-library";
import { ManualClock } from "../src/domain/clock.ts";
import { App } from "../tui/components/App.tsx";
import { openWatchSource } from "../tui/data/watch-source.ts";
import { plain } from "../tui/format/paint.ts";
import { WatchController } from "../tui/model/watch-controller.ts";
import { makeTuiDb, T0, type TuiDb } from "./helpers/tui-db.ts";
import { waitFor } from "./helpers/wait-for.ts";

let fixture: TuiDb;
let closeSource: () => void = () => {};

beforeEach(() => {
  fixture = makeTuiDb();
  fixture.add({ name: "nightly-backup", status: "failed" });
});

afterEach(() => {
  cleanup();
  closeSource();
  fixture.cleanup();
});

function recordAttempt(channel: string, outcome: string, at: number) {
  fixture.db.run(
    `INSERT INTO alert_attempts (outbox_id, channel, at, outcome, status_code, error, duration_ms)
     VALUES (1, ?, ?, ?, 500, 'receiver answered 500', 12)`,
    [channel, at, outcome],
  );
}

function mount() {
  const source = openWatchSource(fixture.path);
  closeSource = () => source.close();
  const clock = new ManualClock(T0);
  const controller = new WatchController(source, clock);
  const app = render(
    <App
      controller={controller}
      clock={clock}
      paint={plain}
      path={fixture.path}
      size={{ columns: 100, rows: 24 }}
      pollMs={20}
    />,
  );
  return () => app.lastFrame() ?? "";
}

test("the header names an alert channel whose latest delivery failed, live", async () => {
  recordAttempt("ops-webhook", "delivered", T0 - 5000);
  const frame = mount();
  const first = await waitFor(() => (frame().includes("nightly-backup") ? frame() : null));
  expect(first).not.toContain("alerts failing");

  recordAttempt("ops-webhook", "failed", T0 - 1000);
  recordAttempt("pager", "permanent_failure", T0);
  const header = await waitFor(() => {
    const line = frame().split("\n")[0] ?? "";
    return line.includes("alerts failing") ? line : null;
  });
  expect(header).toContain("⚠ alerts failing: pager, ops-webhook");

  recordAttempt("ops-webhook", "delivered", T0 + 1000);
  recordAttempt("pager", "delivered", T0 + 1000);
  await waitFor(() => (frame().split("\n")[0]?.includes("alerts failing") ? null : true), {
    what: "the badge to go once the channels deliver again",
  });
});
