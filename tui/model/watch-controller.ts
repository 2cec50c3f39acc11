import type { Clock } from "../../src/domain/clock.ts";
import type { NameRow } from "../../src/schedules/name-view.ts";
import type { WatchEvent, WatchRun } from "../data/rows.ts";
import type { StatusCounts } from "../data/status-counts.ts";
import type { WatchSource } from "../data/watch-source.ts";
import type { WatchAction } from "./actions.ts";
import { CountSchedule } from "./count-schedule.ts";
import { LOG_START, type LogLine } from "./detail-scroll.ts";
import { layoutFor, type WatchLayout } from "./layout.ts";
import { moveNames, settleNames } from "./names-nav.ts";
import { RunLog } from "./run-log.ts";
import { moveTable, settle, type TablePage } from "./table-nav.ts";
import { applyUiAction, initialState, type WatchOptions, type WatchState } from "./ui-state.ts";

export type { WatchOptions, WatchState } from "./ui-state.ts";

/** What the components draw; read only from the database, never computed from guesses. */
export interface WatchScreen {
  page: TablePage;
  selected: WatchRun | null;
  events: WatchEvent[];
  counts: StatusCounts;
  detail: { run: WatchRun | null; total: number; lines: LogLine[] } | null;
  /** The names view: the names on screen with their figures, and how many there are. */
  /** `more`: the database holds names beyond the `total` listed. */
  names: { rows: NameRow[]; total: number; more: boolean } | null;
  /** The last read that failed (database gone, locked too long); the UI keeps trying. */
  error: string | null;
  /** Names of alert channels whose latest delivery failed. */
  failingChannels: string[];
}

/**
 * The state of the watch UI and the rows it shows. Keys become actions (dispatch); time
 * becomes poll(), which rereads only when the database changed (one pragma otherwise), and
 * then only the rows on screen. Components subscribe and draw `screen`; no component reads
 * the database itself.
 */
export class WatchController {
  state: WatchState;
  screen: WatchScreen = {
    page: { rows: [], hasOlder: false },
    selected: null,
    events: [],
    counts: [],
    detail: null,
    names: null,
    error: null,
    failingChannels: [],
  };
  /** Moves whenever there is something new to draw (for useSyncExternalStore). */
  version = 0;
  private layout: WatchLayout = layoutFor(80, 24);
  private readonly listeners = new Set<() => void>();
  private readonly counts: CountSchedule;
  /** The row index of the cursor, kept when its run leaves the page. */
  private index = 0;

  constructor(
    private readonly source: WatchSource,
    private readonly clock: Clock,
    options: WatchOptions = {},
  ) {
    this.state = initialState(options);
    this.counts = new CountSchedule(source.counts, clock);
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Sets the terminal size; the page then holds as many runs as fit. */
  resize(columns: number, rows: number): void {
    if (columns === this.layout.columns && rows === this.layout.rows && this.version > 0) return;
    this.layout = layoutFor(columns, rows);
    this.guard(() => this.reload());
  }

  /** Looks for changes; rereads and notifies only when there were any. Safe to call often. */
  poll(): void {
    this.guard(() => {
      if (this.source.changes.changed()) {
        this.source.runs.invalidate();
        this.source.names.invalidate();
        this.source.rate.refresh(this.clock.now());
        this.counts.markChanged();
        this.reload();
      } else if (this.recount()) {
        this.notify();
      }
    });
  }

  /** Events per minute over the last minute, as of now. */
  eventRate(): number {
    return this.source.rate.perMinute(this.clock.now());
  }

  dispatch(action: WatchAction): void {
    this.guard(() => {
      this.apply(action);
      this.reload();
    });
  }

  private apply(action: WatchAction): void {
    const state = this.state;
    if (state.view === "names" && (action.type === "move" || action.type === "open")) {
      this.applyToNames(action);
    } else if (action.type === "move" && state.view === "detail") {
      state.detail = {
        ...this.runLog().move(state.detail, action.move),
        runId: state.detail.runId,
      };
    } else if (action.type === "move") {
      state.follow = false;
      const { runs } = this.source;
      const size = this.layout.tableRows;
      state.table = moveTable(runs, state.filter, state.table, this.screen.page, size, action.move);
    } else if (action.type === "open") {
      if (state.table.selectedId === null) return;
      // Opens at the newest lines and follows them: why a run failed is usually at its end.
      state.view = "detail";
      state.detail = { ...LOG_START, atEnd: true, runId: state.table.selectedId };
    } else {
      const statuses = this.screen.counts.map((entry) => entry.status);
      this.state = applyUiAction(state, action, statuses);
      if (this.state.window !== state.window) this.counts.markChanged(true);
    }
  }

  /** Moves over the names, or lists the runs of the chosen one (exactly that name). */
  private applyToNames(action: WatchAction): void {
    const state = this.state;
    const names = this.source.names.all();
    if (action.type === "move") {
      state.names = moveNames(state.names, action.move, names, this.namesHeight());
      return;
    }
    const { name } = settleNames(state.names, names, this.namesHeight());
    if (name === null) return;
    state.view = "table";
    state.filter = { status: null, name, exact: true };
    state.table = { anchor: null, selectedId: null };
    state.follow = true;
  }

  /** The names on screen and their figures, read only while the names view is shown. */
  private readNames(): WatchScreen["names"] {
    if (this.state.view !== "names") return null;
    const names = this.source.names.all();
    const height = this.namesHeight();
    this.state.names = settleNames(this.state.names, names, height);
    const { top } = this.state.names;
    const rows = this.source.names.rows(names.slice(top, top + height), this.clock.now());
    return { rows, total: names.length, more: this.source.names.hasMore() };
  }

  /** Rows of names the view holds: the body less its header and summary lines. */
  private namesHeight(): number {
    return Math.max(1, this.layout.rows - 3 - 2);
  }

  /** Rereads what is on screen for the current state. */
  private reload(): void {
    const state = this.state;
    const size = this.layout.tableRows;
    const { runs, events } = this.source;
    const settled = settle(runs, state.filter, state.table, this.index, size, state.follow);
    state.table = settled.position;
    const rows = settled.page.rows;
    this.index = Math.max(
      0,
      rows.findIndex((run) => run.id === state.table.selectedId),
    );
    const selected = rows.find((run) => run.id === state.table.selectedId) ?? null;

    this.screen = {
      ...this.screen,
      page: settled.page,
      selected,
      events: selected ? events.tail(selected.id, this.layout.eventRows) : [],
      detail: state.view === "detail" ? this.readDetail() : null,
      names: this.readNames(),
      failingChannels: this.source.failingChannels().map((failing) => failing.channel),
      error: null,
    };
    this.recount();
    this.notify();
  }

  /** Recounts the header when the schedule says so; answers whether it did. */
  private recount(): boolean {
    const counts = this.counts.due(this.clock.now(), this.state.window);
    if (counts) this.screen = { ...this.screen, counts };
    return counts !== null;
  }

  private readDetail(): WatchScreen["detail"] {
    const { runId } = this.state.detail;
    if (runId === null) return null;
    const log = this.runLog();
    if (this.state.detail.atEnd) this.state.detail = { ...log.end(this.state.detail), runId };
    const run = this.source.runs.get(runId);
    return { run, total: log.count(), lines: log.lines(this.state.detail) };
  }

  private runLog(): RunLog {
    const { columns, logRows } = this.layout;
    return new RunLog(this.source.events, this.state.detail.runId ?? 0, columns, logRows);
  }

  /** Runs a read; a failure becomes a line on screen instead of a crash, and is retried. */
  private guard(work: () => void): void {
    try {
      work();
    } catch (error) {
      this.screen = { ...this.screen, error: (error as Error).message };
      this.notify();
    }
  }

  private notify(): void {
    this.version++;
    for (const listener of this.listeners) listener();
  }
}
