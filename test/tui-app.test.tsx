import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { cleanup, render } from "ink-testing-library";
import { ManualClock } from "../src/domain/clock.ts";
import { RUN_STATUSES } from "../src/domain/run.ts";
import { App } from "../tui/components/App.tsx";
import { openWatchSource } from "../tui/data/watch-source.ts";
import { plain } from "../tui/format/paint.ts";
import { styleOf } from "../tui/format/status-style.ts";
import { WatchController, type WatchOptions } from "../tui/model/watch-controller.ts";
import { makeTuiDb, T0, type TuiDb } from "./helpers/tui-db.ts";
import { waitFor } from "./helpers/wait-for.ts";

const KEY = {
  up: "\x1b[A",
  down: "\x1b[B",
  pageDown: "\x1b[6~",
  enter: "\r",
  escape: "\x1b",
  backspace: "\x7f",
};

let fixture: TuiDb;
let closeSource: () => void = () => {};

beforeEach(() => {
  fixture = makeTuiDb();
  const names = ["nightly-backup", "transcode", "etl-orders"];
  fixture.addMany(30, (i) => ({
    name: names[i % 3],
    createdAt: T0 - (30 - i) * 60_000,
    status: i >= 27 ? "running" : i % 5 === 4 ? "failed" : "completed",
    events: [
      { at: T0 - (30 - i) * 60_000, kind: "status", message: "running (timeout 300s)" },
      { at: T0 - (30 - i) * 60_000 + 1000, kind: "log", message: `run ${i + 1} says hello` },
    ],
  }));
});

afterEach(() => {
  cleanup();
  closeSource();
  fixture.cleanup();
});

/** Renders the whole UI at a fixed size over the fixture, with a clock standing at T0. */
function mount(options: WatchOptions & { columns?: number; rows?: number } = {}) {
  const source = openWatchSource(fixture.path);
  closeSource = () => source.close();
  const clock = new ManualClock(T0);
  const controller = new WatchController(source, clock, options);
  const size = { columns: options.columns ?? 80, rows: options.rows ?? 24 };
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
  const press = async (key: string, until: (text: string) => boolean, what = key) => {
    app.stdin.write(key);
    return waitFor(() => (until(frame()) ? frame() : null), {
      what: `frame after ${JSON.stringify(what)}`,
    });
  };
  return { app, frame, press, controller };
}

/** The id on the line marked as selected. */
const selectedId = (frame: string) => /^› +(\d+)/m.exec(frame)?.[1];

describe("the whole screen", () => {
  test("fills exactly 80×24 with header, table, events and the keys", async () => {
    const { frame } = mount();
    const text = await waitFor(() => (frame().includes("30 etl-orders") ? frame() : null));
    const shown = text.split("\n");
    expect(shown).toHaveLength(24);
    expect(shown.every((line) => Bun.stringWidth(line) <= 80)).toBe(true);
    expect(shown[0]).toContain("following");
    expect(shown[1]).toMatch(/^24h  ●3  ✓22  ✗5  ⊘0  ◷0/);
    expect(shown[3]).toMatch(/^› +30 etl-orders/);
    expect(text).toContain("events of run 30 (etl-orders)");
    expect(text).toContain("run 30 says hello");
    expect(shown[23]).toContain("q quit");
  });

  test("says the terminal is too small below 80×24, and what it needs", async () => {
    const { frame } = mount({ columns: 70, rows: 20 });
    const text = await waitFor(() => (frame().includes("too small") ? frame() : null));
    expect(text).toContain("Terminal too small: 70×20.");
    expect(text).toContain("needs at least 80×24");
    expect(text.split("\n")).toHaveLength(20);
  });

  test("reflows to a larger terminal, showing more runs", async () => {
    const { frame } = mount({ columns: 120, rows: 40 });
    const text = await waitFor(() => (frame().includes("30 etl-orders") ? frame() : null));
    expect(text.split("\n")).toHaveLength(40);
    expect(text).toMatch(/^ +11 transcode/m);
  });
});

describe("navigation", () => {
  test("moves with j/k and the arrows, and the event pane follows the cursor", async () => {
    const { frame, press } = mount();
    await waitFor(() => selectedId(frame()) === "30");
    await press("j", (text) => selectedId(text) === "29");
    await press(KEY.down, (text) => selectedId(text) === "28");
    const text = await press("k", (text) => selectedId(text) === "29");
    expect(text).toContain("events of run 29 (transcode)");
    expect(text).toContain("run 29 says hello");
    expect(text).toContain("follow off");
    await press(KEY.up, (text) => selectedId(text) === "30");
  });

  test("takes keys typed faster than they are read one by one", async () => {
    const { frame, press } = mount();
    await waitFor(() => selectedId(frame()) === "30");
    await press("jjj", (text) => selectedId(text) === "27");
    await press("/etl\r", (text) => text.includes("name ~ etl") && text.includes("q quit"));
  });

  test("jumps a page, to the oldest run and back to the newest", async () => {
    const { frame, press } = mount();
    await waitFor(() => selectedId(frame()) === "30");
    await press(KEY.pageDown, (text) => selectedId(text) === "19");
    const oldest = await press("G", (text) => selectedId(text) === "1");
    expect(oldest).not.toContain(" 30 etl-orders");
    await press("g", (text) => selectedId(text) === "30");
  });

  test("f turns following back on after moving", async () => {
    const { frame, press } = mount();
    await waitFor(() => selectedId(frame()) === "30");
    await press("j", (text) => text.includes("follow off"));
    await press("f", (text) => text.includes("following") && selectedId(text) === "30");
  });
});

describe("filtering", () => {
  test("/ filters by name as it is typed; Enter keeps the filter, Esc clears it", async () => {
    const { frame, press } = mount();
    await waitFor(() => selectedId(frame()) === "30");
    await press("/", (text) => text.includes("name filter: ▏"));
    await press("t", (text) => text.includes("name filter: t▏"));
    await press("RANS", (text) => text.includes("name filter: tRANS▏"));
    const filtered = frame();
    expect(filtered).not.toContain("etl-orders");
    expect(filtered).not.toContain("nightly-backup");
    expect(filtered).toMatch(/^› +29 transcode/m);

    await press(KEY.backspace, (text) => text.includes("name filter: tRAN▏"));
    const kept = await press(KEY.enter, (text) => text.includes("q quit"));
    expect(kept).toContain("name ~ tRAN");
    expect(kept).not.toContain("etl-orders");
    await press(KEY.escape, (text) => text.includes("etl-orders") && !text.includes("name: "));
  });

  test("q is typed into the filter, not a quit", async () => {
    const { frame, press } = mount();
    await waitFor(() => selectedId(frame()) === "30");
    await press("/", (text) => text.includes("name filter:"));
    const text = await press("q", (text) => text.includes("name filter: q▏"));
    expect(text).toContain("no runs match the filter");
  });

  test("s cycles through the statuses and back to all", async () => {
    const { frame, press } = mount();
    await waitFor(() => selectedId(frame()) === "30");
    const running = await press("s", (text) => text.includes("status: running"));
    expect(running).not.toContain("✓ completed");
    expect(running.match(/● running/g)?.length).toBe(3);
    const completed = await press("s", (text) => text.includes("status: completed"));
    expect(completed).not.toMatch(/^. +\d+ .*● running/m);
    for (const status of RUN_STATUSES.slice(2)) {
      await press("s", (text) => text.includes(`status: ${styleOf(status).label}`));
    }
    await press("s", (text) => !text.includes("status: ") && text.includes("● running"));
  });

  test("w cycles the window of the counts", async () => {
    const { frame, press } = mount();
    await waitFor(() => frame().includes("24h  ●"));
    await press("w", (text) => text.includes("7d   ●"));
    await press("w", (text) => text.includes("all  ●"));
    const hour = await press("w", (text) => text.includes("1h   ●"));
    // Runs created in the last hour only: the fixture spans 30 minutes, so all of them.
    expect(hour).toContain("●3  ✓22  ✗5");
  });
});

describe("the detail view", () => {
  test("Enter shows every field and the run's whole log; Esc goes back", async () => {
    const { frame, press } = mount();
    await waitFor(() => selectedId(frame()) === "30");
    await press("j", (text) => selectedId(text) === "29");
    const detail = await press(KEY.enter, (text) => text.includes("run 29 · ● running"));
    // The status comes before the name, so a long name cannot push it off the line.
    expect(detail).toContain("run 29 · ● running · transcode · version 1.0.0");
    expect(detail).toMatch(
      /created +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} [+-]\d\d:\d\d \(2m ago\)/,
    );
    expect(detail).toMatch(/timeout +300s · deadline/);
    expect(detail).toMatch(/finished +- \(running, 3m00s left\)/);
    expect(detail).toMatch(/events +2/);
    expect(detail).toContain("event 1 of 2 · following");
    expect(detail).toMatch(/state +→ running \(timeout 300s\)/);
    expect(detail).toMatch(/log +run 29 says hello/);
    expect(detail).toContain("Esc back");

    const back = await press(KEY.escape, (text) => text.includes("DURATION / LEFT"));
    expect(selectedId(back)).toBe("29");
  });

  test("scrolls a long log by lines and pages, and wraps long messages", async () => {
    const long = "word ".repeat(40).trim();
    fixture.add({
      name: "chatty",
      createdAt: T0,
      events: Array.from({ length: 40 }, (_, i) => ({
        at: T0 + i * 1000,
        kind: "log" as const,
        message: i === 39 ? long : `line ${i}`,
      })),
    });
    const { frame, press } = mount();
    await waitFor(() => frame().includes("31 chatty"));
    const end = await press(KEY.enter, (text) => /run 31 · .* · chatty/.test(text));
    expect(end).toContain("event 31 of 40 · following");
    expect(end).toMatch(/log +word word/);
    expect(end).toMatch(/^ {17}word word/m);

    const start = await press("g", (text) => text.includes("event 1 of 40"));
    expect(start).toMatch(/log +line 0$/m);
    expect(start).not.toContain("· following");
    await press("j", (text) => text.includes("event 2 of 40"));
    await press(KEY.pageDown, (text) => text.includes("event 14 of 40"));
    await press("G", (text) => text.includes("· following"));
  });
});

describe("the detail view's keys", () => {
  test("s, w, f and n leave the hidden table's filter, window and follow alone", async () => {
    const { app, frame, press } = mount();
    await waitFor(() => selectedId(frame()) === "30");
    await press(KEY.enter, (text) => text.includes("run 30 · ● running"));
    for (const key of ["s", "w", "f", "n"]) app.stdin.write(key);

    // Help opens and closes over the detail view, which is then still there.
    await press("?", (text) => text.includes("Keys"));
    const detail = await press("x", (text) => !text.includes("Keys"));
    expect(detail).toContain("run 30 · ● running");
    expect(detail).toContain("Esc back");

    const table = await press(KEY.escape, (text) => text.includes("DURATION / LEFT"));
    expect(table).not.toContain("status: ");
    expect(table).toContain("24h  ●");
    expect(table).toContain("following");
    expect(selectedId(table)).toBe("30");
  });
});

describe("help", () => {
  test("? lists the keys and the symbols; any key closes it", async () => {
    const { frame, press } = mount();
    await waitFor(() => selectedId(frame()) === "30");
    const help = await press("?", (text) => text.includes("Keys"));
    expect(help).toContain("filter by name as you type");
    expect(help).toMatch(/Statuses +● running +✓ completed +✗ failed/);
    expect(help).toMatch(/Events +log +stderr +state +refused/);
    // At 80 columns, the smallest it draws in, no line of the help is cut.
    expect(help).not.toContain("…");
    expect(help).toContain("an end signal the run refused (it had already ended)");
    await press("x", (text) => text.includes("DURATION / LEFT"));
  });
});
