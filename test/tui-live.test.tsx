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

/** How soon after a write the UI must show it, with no key pressed. */
const LIVE_MS = 1000;

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
  const matches = (what: RegExp | string) =>
    typeof what === "string" ? frame().includes(what) : what.test(frame());
  const shows = (what: RegExp | string) =>
    waitFor(() => (matches(what) ? frame() : null), { what: String(what) });
  /** Waits for `what`, which must be on screen within LIVE_MS of `since` (a write's start). */
  const showsSoon = async (what: RegExp | string, since: number) => {
    const text = await waitFor(() => (matches(what) ? frame() : null), {
      what: `${what} within ${LIVE_MS} ms`,
      timeoutMs: since + LIVE_MS - Date.now(),
    });
    expect(Date.now() - since).toBeLessThanOrEqual(LIVE_MS);
    return text;
  };
  return { frame, shows, showsSoon, controller };
}

test("new runs, events and status changes show within 1 s, no key pressed", async () => {
  const { shows, showsSoon } = mountLive();
  await shows("no runs yet");

  let since = Date.now();
  const id = await createRun(daemon, {
    name: "nightly-backup",
    timeoutSeconds: 600,
    version: "3.2",
  });
  await showsSoon(new RegExp(`› +${id} nightly-backup +3\\.2 +● running`), since);
  await showsSoon(/state +→ running \(timeout 600s\)/, since);

  since = Date.now();
  await daemon.post(`/jobs/${id}`, { message: "copied 12 files" });
  await showsSoon(/log +copied 12 files/, since);
  since = Date.now();
  await daemon.post(`/api/jobs/${id}/events`, {
    messages: [{ message: "disk almost full", stream: "stderr" }],
  });
  await showsSoon(/stderr +disk almost full/, since);

  since = Date.now();
  await daemon.post(`/jobs/${id}/complete`, { message: "done", exitCode: 0 });
  await showsSoon(/✓ completed/, since);
  await showsSoon(/state +→ completed/, since);
  await showsSoon(/24h  ●0  ✓1/, since);

  since = Date.now();
  expect((await daemon.post(`/jobs/${id}/fail`)).status).toBe(409);
  await showsSoon(/refused +⊘ fail refused: the run is already completed/, since);
});

test("a second run goes to the top and, following, takes the selection within 1 s", async () => {
  const { shows, showsSoon } = mountLive();
  const first = await createRun(daemon, { name: "first", timeoutSeconds: 60 });
  await shows(new RegExp(`› +${first} first`));
  const since = Date.now();
  const second = await createRun(daemon, { name: "second", timeoutSeconds: 60 });
  const text = await showsSoon(new RegExp(`› +${second} second`), since);
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
