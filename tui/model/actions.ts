import type { TableMove } from "./table-nav.ts";

/** Everything a key can ask of the UI, apart from quitting (which the app handles). */
export type WatchAction =
  | { type: "move"; move: TableMove }
  | { type: "open" }
  | { type: "back" }
  | { type: "filterStart" }
  | { type: "filterType"; text: string }
  | { type: "filterErase" }
  | { type: "filterAccept" }
  | { type: "filterCancel" }
  | { type: "cycleStatus" }
  | { type: "cycleWindow" }
  | { type: "toggleFollow" }
  | { type: "toggleHelp" }
  /** Between the runs table and the view by job name. */
  | { type: "toggleNames" };
