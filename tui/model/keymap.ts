import type { Key } from "ink";
import type { WatchAction } from "./actions.ts";
import type { WatchState } from "./watch-controller.ts";

/** What a key press means: an action, quitting, or nothing. */
export type KeyMeaning = WatchAction | { type: "quit" } | null;

/**
 * The key bindings, in one place (the footer and the help view describe the same ones).
 * While a name filter is typed, printable keys are text and only Enter, Esc, Backspace,
 * the arrows and Ctrl-C keep their meaning. While help is shown, any key closes it. In a
 * run's detail only the moves, Esc, ? and q act; in the names view s and f do nothing.
 */
export function meaningOf(input: string, key: Key, state: WatchState): KeyMeaning {
  if (key.ctrl && input === "c") return { type: "quit" };
  if (state.help) return input === "q" ? { type: "quit" } : { type: "toggleHelp" };
  const move = moveOf(input, key, state.editing);
  if (move) return { type: "move", move };

  if (state.editing) {
    if (key.return) return { type: "filterAccept" };
    if (key.escape) return { type: "filterCancel" };
    if (key.backspace || key.delete) return { type: "filterErase" };
    if (input !== "" && !key.ctrl && !key.meta && !key.tab)
      return { type: "filterType", text: input };
    return null;
  }

  if (key.escape) return { type: "back" };
  if (input === "q") return { type: "quit" };
  if (input === "?") return { type: "toggleHelp" };
  // A run's detail hides the table: s, w, f, n and Enter would change it unseen.
  if (state.view === "detail") return null;

  if (key.return) return { type: "open" };
  switch (input) {
    case "/":
      return state.view === "table" ? { type: "filterStart" } : null;
    // The status filter and follow belong to the runs table, hidden behind the names view.
    case "s":
      return state.view === "table" ? { type: "cycleStatus" } : null;
    case "w":
      return { type: "cycleWindow" };
    case "f":
      return state.view === "table" ? { type: "toggleFollow" } : null;
    case "n":
      return { type: "toggleNames" };
    default:
      return null;
  }
}

/**
 * The key presses in one read from the terminal. Keys typed faster than they are read (a
 * held-down `j`, a slow ssh link, a paste) arrive together, and Ink passes them as one string
 * (a carriage return included); each character is then its own press. Escape sequences
 * (arrows, PgDn) and Backspace arrive already parsed.
 */
export function splitKeys(input: string, key: Key): [string, Key][] {
  if (input.length <= 1 || key.ctrl || key.meta) return [[input, key]];
  return [...input].map((char) =>
    char === "\r" || char === "\n" ? ["", { ...key, return: true }] : [char, key],
  );
}

function moveOf(input: string, key: Key, editing: boolean) {
  if (key.upArrow) return "up" as const;
  if (key.downArrow) return "down" as const;
  if (key.pageUp) return "pageUp" as const;
  if (key.pageDown) return "pageDown" as const;
  if (key.home) return "top" as const;
  if (key.end) return "bottom" as const;
  if (editing) return null;
  if (input === "k") return "up" as const;
  if (input === "j") return "down" as const;
  if (input === "g") return "top" as const;
  if (input === "G") return "bottom" as const;
  return null;
}
