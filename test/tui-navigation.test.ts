import type { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import type { WatchEvent } from "../tui/data/rows.ts";
import { RunPager } from "../tui/data/run-pager.ts";
import { openWatchDatabase } from "../tui/data/watch-db.ts";
import { LOG_START, scrollLog, visibleLines } from "../tui/model/detail-scroll.ts";
import {
  moveTable,
  readPage,
  settle,
  type TableMove,
  type TablePosition,
} from "../tui/model/table-nav.ts";
import { makeTuiDb, type TuiDb } from "./helpers/tui-db.ts";

const ALL = { status: null, name: "" };
const SIZE = 4;
let fixture: TuiDb;
let reader: Database;
let pager: RunPager;

beforeEach(() => {
  fixture = makeTuiDb();
  fixture.addMany(20);
  reader = openWatchDatabase(fixture.path);
  pager = new RunPager(reader);
});

afterEach(() => {
  reader.close();
  fixture.cleanup();
});

/** Applies moves from the top of the table; answers the ids shown and the one selected. */
function walk(...moves: TableMove[]) {
  let position: TablePosition = { anchor: null, selectedId: 20 };
  for (const move of moves) {
    const page = readPage(pager, ALL, position.anchor, SIZE);
    position = moveTable(pager, ALL, position, page, SIZE, move);
  }
  const page = readPage(pager, ALL, position.anchor, SIZE);
  return { shown: page.rows.map((run) => run.id), selected: position.selectedId, position };
}

describe("moving through the runs table", () => {
  test("moves the cursor within the page, then scrolls the page by one run", () => {
    expect(walk("down", "down")).toMatchObject({ shown: [20, 19, 18, 17], selected: 18 });
    expect(walk("down", "down", "down", "down")).toMatchObject({
      shown: [19, 18, 17, 16],
      selected: 16,
    });
    expect(walk("down", "down", "down", "down", "up", "up", "up", "up")).toMatchObject({
      shown: [20, 19, 18, 17],
      selected: 20,
    });
  });

  test("pages down and up, keeping the cursor's row", () => {
    expect(walk("down", "pageDown")).toMatchObject({ shown: [16, 15, 14, 13], selected: 15 });
    expect(walk("down", "pageDown", "pageDown", "pageUp")).toMatchObject({
      shown: [16, 15, 14, 13],
      selected: 15,
    });
    expect(walk("pageDown", "pageUp")).toMatchObject({ shown: [20, 19, 18, 17], selected: 20 });
  });

  test("pages down to a full last page, as the jump to the oldest run shows it", () => {
    const fromRun19 = ["down", "down", "down", "down", "up", "up", "up"] as const;
    expect(walk(...fromRun19)).toMatchObject({ shown: [19, 18, 17, 16], selected: 19 });
    const pages = (n: number) => walk(...fromRun19, ...Array<TableMove>(n).fill("pageDown"));
    expect(pages(3)).toMatchObject({ shown: [7, 6, 5, 4], selected: 7 });
    // Three runs were left below the page: not a page of three and a blank row.
    expect(pages(4)).toMatchObject({ shown: [4, 3, 2, 1], selected: 3 });
    expect(pages(5)).toMatchObject({ shown: [4, 3, 2, 1], selected: 1 });
    expect(walk(...fromRun19, "pageDown", "bottom").shown).toEqual(pages(4).shown);
  });

  test("jumps to the oldest run and back to the newest", () => {
    expect(walk("bottom")).toMatchObject({ shown: [4, 3, 2, 1], selected: 1 });
    expect(walk("bottom", "down")).toMatchObject({ shown: [4, 3, 2, 1], selected: 1 });
    expect(walk("bottom", "top")).toMatchObject({ shown: [20, 19, 18, 17], selected: 20 });
    expect(walk("bottom", "top").position.anchor).toBeNull();
  });

  test("stops at both ends", () => {
    expect(walk("up")).toMatchObject({ shown: [20, 19, 18, 17], selected: 20 });
    expect(walk("pageUp")).toMatchObject({ selected: 20 });
    expect(walk("bottom", "pageDown")).toMatchObject({ shown: [4, 3, 2, 1], selected: 1 });
  });
});

describe("keeping the position while runs arrive", () => {
  test("with follow, selects the newest run as it appears", () => {
    fixture.add();
    const { position } = settle(pager, ALL, { anchor: null, selectedId: 20 }, 0, SIZE, true);
    expect(position.selectedId).toBe(21);
  });

  test("without follow, keeps the selected run selected as new runs push it down", () => {
    const start = { anchor: null, selectedId: 18 };
    fixture.addMany(2);
    let settled = settle(pager, ALL, start, 2, SIZE, false);
    expect(settled.position.selectedId).toBe(18);
    expect(settled.page.rows.map((run) => run.id)).toEqual([21, 20, 19, 18]);
    fixture.addMany(3);
    settled = settle(pager, ALL, settled.position, 3, SIZE, false);
    expect(settled.position.selectedId).toBe(18);
    expect(settled.page.rows.map((run) => run.id)).toEqual([21, 20, 19, 18]);
  });

  test("moves to the same row when the selected run leaves the filter", () => {
    fixture.store.finishRun(18, "completed", Date.now());
    const filter = { status: "running", name: "" };
    const settled = settle(pager, filter, { anchor: null, selectedId: 18 }, 2, SIZE, false);
    expect(settled.position.selectedId).toBe(17);
  });
});

describe("scrolling the event log", () => {
  // Events 0..9; event 3 is three lines long.
  const events: WatchEvent[] = Array.from({ length: 10 }, (_, i) => ({
    id: i + 1,
    runId: 1,
    at: 0,
    kind: "log",
    message: i === 3 ? "a\nb\nc" : `e${i}`,
    truncated: false,
    stream: null,
  }));
  const slice = (index: number, limit: number) => events.slice(index, index + limit);
  const wrap = (event: WatchEvent) => event.message.split("\n");
  const texts = (top: number, skip: number) =>
    visibleLines(slice, wrap, { top, skip, atEnd: false }, 4).map((line) => line.text);

  test("scrolls by screen lines, through an event of several lines", () => {
    let position = scrollLog(slice, wrap, 10, LOG_START, 4, 3);
    expect(position).toMatchObject({ top: 3, skip: 0 });
    position = scrollLog(slice, wrap, 10, position, 4, 2);
    expect(position).toMatchObject({ top: 3, skip: 2 });
    expect(texts(position.top, position.skip)).toEqual(["c", "e4", "e5", "e6"]);
    position = scrollLog(slice, wrap, 10, position, 4, -3);
    expect(position).toMatchObject({ top: 2, skip: 0 });
  });

  test("stops with the last line at the bottom, and says it is at the end", () => {
    const end = scrollLog(slice, wrap, 10, LOG_START, 4, "end");
    expect(end).toEqual({ top: 6, skip: 0, atEnd: true });
    expect(texts(end.top, end.skip)).toEqual(["e6", "e7", "e8", "e9"]);
    expect(scrollLog(slice, wrap, 10, LOG_START, 4, 100)).toEqual(end);
    expect(scrollLog(slice, wrap, 10, end, 4, -100)).toEqual(LOG_START);
  });
});
