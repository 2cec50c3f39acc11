/**
 * Text that StatusBox prints but did not write (job names, log lines, key names, a
 * receiver's error) may hold bytes a terminal obeys rather than shows: escape sequences that
 * clear the screen, retitle the window or write the clipboard (OSC 52), other C0 and C1
 * controls, and bidi controls that make a line read differently from what it holds. Every
 * such string goes through `terminalSafe` before it is printed, by the CLI and the watch UI.
 */

// Colour and style (SGR) sequences are what wrapped commands emit most; once drawn inside
// our own layout they mean nothing, and their visible form would bury the text. They go.
// The only sequence removed: every other control is shown, so nothing hides silently.
const SGR = "\\u001b\\[[0-9;:]*m";
// C0 but tab and line feed, DEL, C1; bidi embeddings, overrides, isolates and marks (the
// Arabic letter mark too); the Unicode line and paragraph separators. Built from a string
// so that the characters stay visible in the source.
const CONTROL =
  "[\\u0000-\\u0008\\u000b-\\u001f\\u007f-\\u009f" +
  "\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069\\u2028\\u2029]";
const UNSAFE = new RegExp(`${SGR}|${CONTROL}`, "g");
const UNSAFE_IN_JSON = new RegExp(CONTROL, "g");

/** `\x1b` for a control below U+0100, `\u202e` above: what a reader can look up. */
function visible(char: string): string {
  return char.charCodeAt(0) < 0x100 ? `\\x${hex(char, 2)}` : `\\u${hex(char, 4)}`;
}

/**
 * `text` made safe to write to a terminal: SGR colour sequences removed, every other control
 * character and bidi control shown as an escape (`\x1b`, `\x00`, `\u202e`), tabs as two
 * spaces. A line break (`\n`, `\r\n`, or a lone `\r`, which a progress bar uses to redraw
 * itself) becomes `lineBreak`: by default the two characters `\n`, so the text stays on one
 * line; pass "\n" where the layout splits lines itself.
 */
export function terminalSafe(text: string, lineBreak = "\\n"): string {
  return text
    .replace(/\r\n?/g, "\n")
    .replace(UNSAFE, (match) => (match.length > 1 ? "" : visible(match)))
    .replace(/\t/g, "  ")
    .replace(/\n/g, lineBreak);
}

/** One line for a table cell or a pane: trailing line breaks dropped, the others as " ⏎ ". */
export function oneLine(text: string): string {
  return terminalSafe(trimLineBreaks(text), " ⏎ ");
}

/**
 * `text` cut to at most `max` characters (code points, so that no emoji is split in two),
 * the last of them `…` when something was cut.
 */
export function clip(text: string, max: number): string {
  const characters = Array.from(text);
  if (characters.length <= max) return text;
  return `${characters.slice(0, max - 1).join("")}…`;
}

/** The lines of a message, each safe, for a view that lays out lines itself. */
export function safeLines(text: string): string[] {
  return terminalSafe(trimLineBreaks(text), "\n").split("\n");
}

/**
 * `value` as indented JSON that is also safe on a terminal: JSON.stringify escapes C0
 * controls but writes C1 and bidi controls raw, so those are written as `\uXXXX` too (the
 * same JSON to a parser).
 */
export function terminalSafeJson(value: unknown): string {
  const json = JSON.stringify(value, null, 2);
  return json.replace(UNSAFE_IN_JSON, (char) => `\\u${hex(char, 4)}`);
}

const hex = (char: string, digits: number) => char.charCodeAt(0).toString(16).padStart(digits, "0");

const trimLineBreaks = (text: string) => text.replace(/[\r\n]+$/, "");
