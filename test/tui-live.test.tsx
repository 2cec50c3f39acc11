import { afterEach, beforeEach, expect, test } from "bun:test";
import { cleanup, render } from "ink-testing-library";
import { systemClock } from "../src/domain/clock.ts";
import { App } from "../tui/components/App.tsx";
import { openWatchSource, type WatchSource } from "../tui/data/watch-source.ts";
import { plain } from "../tui/format/paint.ts";
import { WatchController } from "../tui/model/watch-controller.ts";
import { createRun, startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";
import { waitFor } from "./helpers/wait-for.ts";

let daemon: TestDaemon;
let source: WatchSource;

beforeEach(async () => {
  daemon = await startTestDaemon();
  source = openWatchSource(daemon.dbPath);
});

afterEach(async () => {
  cleanup();
  source.close();
  await daemon.close();
});

/** The UI over the daemon's database, polling as the real one does (every 250 ms). */
function mountLive() {
  const controller = new WatchController(source, systemClock);
  const app = render(
    <App
      controller={controller}
      clock={systemClock}
      paint={plain}
      path={daemon.dbPath}
      size={{ columns: 100, rows: 30 }}
    />,
  );
  const frame = () => app.lastFrame() ?? "";
  const shows = (what: RegExp | string) =>
    waitFor(
      () =>
        (typeof what === "string" ? frame().includes(what) : what.test(frame())) ? frame() : null,
      {
        what: String(what),
      },
    );
  return { frame, shows, controller };
}

test("shows new runs, their events and their end as the daemon writes, with no key", async () => {
  const { shows } = mountLive();
  await shows("no runs yet");

  const id = await createRun(daemon, {
    name: "nightly-backup",
    timeoutSeconds: 600,
    version: "3.2",
  });
  await shows(new RegExp(`› +${id} nightly-backup +3\\.2 +● running`));
  await shows(/state +→ running \(timeout 600s\)/);

  await daemon.post(`/jobs/${id}`, { message: "copied 12 files" });
  await daemon.post(`/api/jobs/${id}/events`, {
    messages: [{ message: "disk almost full", stream: "stderr" }],
  });
  await shows(/log +copied 12 files/);
  await shows(/stderr +disk almost full/);

  await daemon.post(`/jobs/${id}/complete`, { message: "done", exitCode: 0 });
  await shows(/✓ completed/);
  await shows(/state +→ completed/);
  await shows(/24h  ●0  ✓1/);

  expect((await daemon.post(`/jobs/${id}/fail`)).status).toBe(409);
  await shows(/refused +⊘ fail refused: the run is already completed/);
});

test("a second run goes to the top and, following, takes the selection", async () => {
  const { shows } = mountLive();
  const first = await createRun(daemon, { name: "first", timeoutSeconds: 60 });
  await shows(new RegExp(`› +${first} first`));
  const second = await createRun(daemon, { name: "second", timeoutSeconds: 60 });
  const text = await shows(new RegExp(`› +${second} second`));
  expect(text).toMatch(new RegExp(`^ +${first} first`, "m"));
});

test("rereads only after a commit: a poll with nothing new draws nothing", async () => {
  const { controller } = mountLive();
  await createRun(daemon);
  await waitFor(() => controller.screen.page.rows.length === 1);
  // The daemon may still commit a key's last use after answering; wait for it to settle.
  await waitFor(() => {
    const before = controller.version;
    controller.poll();
    return controller.version === before;
  });
  const version = controller.version;
  controller.poll();
  controller.poll();
  expect(controller.version).toBe(version);
  await createRun(daemon);
  controller.poll();
  expect(controller.version).toBeGreaterThan(version);
  expect(controller.screen.page.rows).toHaveLength(2);
});
