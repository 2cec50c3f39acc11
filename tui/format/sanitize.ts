/**
 * Text from the database is written by jobs, and a job's output may hold terminal escapes
 * (colours from a wrapped command, or worse: sequences that move the cursor or retitle the
 * window). Everything shown goes through here first, so the UI draws only what it means to.
 */
// Built from strings so that the control characters stay visible in the source.
const ESCAPES = new RegExp(
  [
    "\\u001b\\][^\\u0007\\u001b]*(?:\\u0007|\\u001b\\\\)", // OSC ... BEL or ST
    "\\u001b\\[[0-?]*[ -/]*[@-~]", // CSI
    "\\u001b[@-Z\\\\-_]", // two-character escapes
    "\\u009b[0-?]*[ -/]*[@-~]", // 8-bit CSI
  ].join("|"),
  "g",
);
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Removes escape sequences and control characters; tabs become spaces, newlines stay. */
export function clean(text: string): string {
  return text
    .replace(ESCAPES, "")
    .replace(/\t/g, "  ")
    .replace(/\r\n?/g, "\n")
    .replace(CONTROLS, "");
}

/** One line for a table cell or the event pane: line breaks shown as " ⏎ ". */
export function oneLine(text: string): string {
  return clean(text).replace(/\n+$/, "").replace(/\n/g, " ⏎ ");
}

/** The lines of a message, cleaned, for the detail view. */
export function linesOf(text: string): string[] {
  return clean(text).replace(/\n+$/, "").split("\n");
}
