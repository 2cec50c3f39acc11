import type { RunFilter } from "../data/run-pager.ts";
import { COUNT_WINDOWS, type CountWindow } from "../data/status-counts.ts";
import type { WatchAction } from "./actions.ts";
import { LOG_START, type DetailPosition } from "./detail-scroll.ts";
import { NAMES_START, type NamesPosition } from "./names-nav.ts";
import type { TablePosition } from "./table-nav.ts";

/** Which screen the body shows; a new view (a list of job names, say) is added here. */
export type WatchView = "table" | "detail" | "names";

export interface WatchState {
  view: WatchView;
  help: boolean;
  filter: RunFilter;
  /** Typing a name filter: keys go to the filter, not to commands. */
  editing: boolean;
  follow: boolean;
  window: CountWindow;
  table: TablePosition;
  detail: DetailPosition & { runId: number | null };
  names: NamesPosition;
}

export interface WatchOptions {
  filter?: Partial<RunFilter>;
  follow?: boolean;
  window?: CountWindow;
}

export function initialState(options: WatchOptions = {}): WatchState {
  return {
    view: "table",
    help: false,
    filter: { status: options.filter?.status ?? null, name: options.filter?.name ?? "" },
    editing: false,
    follow: options.follow ?? true,
    window: options.window ?? "24h",
    table: { anchor: null, selectedId: null },
    detail: { ...LOG_START, runId: null },
    names: NAMES_START,
  };
}

/**
 * The actions that only change the state, not what the cursor is on: views, filters,
 * toggles. Answers the new state; `statuses` are the ones `s` cycles through (all, then each).
 * Moving and opening need the data and are done by the controller.
 */
export function applyUiAction(
  state: WatchState,
  action: WatchAction,
  statuses: string[],
): WatchState {
  const filter = state.filter;
  switch (action.type) {
    case "back":
      if (state.help) return { ...state, help: false };
      if (state.view !== "table") return { ...state, view: "table" };
      return { ...state, filter: { status: null, name: "" } };
    case "filterStart":
      return { ...state, editing: true };
    case "filterType":
      return { ...state, filter: { ...filter, name: filter.name + action.text, exact: false } };
    case "filterErase":
      // By code point, so that erasing an emoji does not leave half of it.
      const name = [...filter.name].slice(0, -1).join("");
      return { ...state, filter: { ...filter, name, exact: false } };
    case "filterAccept":
      return { ...state, editing: false };
    case "filterCancel":
      return { ...state, editing: false, filter: { ...filter, name: "" } };
    case "cycleStatus":
      return { ...state, filter: { ...filter, status: nextOf(statuses, filter.status) } };
    case "cycleWindow": {
      const next = COUNT_WINDOWS[(COUNT_WINDOWS.indexOf(state.window) + 1) % COUNT_WINDOWS.length];
      return { ...state, window: next ?? "24h" };
    }
    case "toggleFollow":
      return { ...state, follow: !state.follow };
    case "toggleHelp":
      return { ...state, help: !state.help };
    case "toggleNames":
      return { ...state, view: state.view === "names" ? "table" : "names" };
    default:
      return state;
  }
}

/** The value after `current` in `values`, going through null ("all") after the last. */
function nextOf<T>(values: T[], current: T | null): T | null {
  if (current === null) return values[0] ?? null;
  const index = values.indexOf(current);
  return index === -1 || index === values.length - 1 ? null : values[index + 1]!;
}
