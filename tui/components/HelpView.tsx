import { KIND_WIDTH, eventStyle } from "../format/event-style.ts";
import type { Painter } from "../format/paint.ts";
import { paintStatus } from "../format/status-style.ts";
import { Lines } from "./Lines.tsx";

const KEYS: [string, string][] = [
  ["↑ ↓  k j", "move the cursor (in a run: scroll its log)"],
  ["PgUp PgDn", "a page up or down"],
  ["g G  Home End", "the newest or oldest run (in a run: start or end of its log)"],
  ["Enter", "open the selected run: every field and its whole event log"],
  ["Esc", "back to the table; in the table, clear the filters"],
  ["/", "filter by name as you type (Enter keeps it, Esc clears it)"],
  ["n", "runs or job names (Enter on a name lists its runs)"],
  ["s", "cycle the status filter: all, then each status"],
  ["w", "cycle the window of the counts: 1h, 24h, 7d, all"],
  ["f", "follow: keep the newest run selected (moving stops it)"],
  ["?", "this help; any key closes it"],
  ["q  Ctrl-C", "quit"],
];

/**
 * The keys and the meaning of the symbols, in place of the table; any key closes it. Every
 * line fits 80 columns, the smallest terminal the UI draws in.
 */
export function HelpView({
  statuses,
  height,
  width,
  paint,
}: {
  statuses: string[];
  height: number;
  width: number;
  paint: Painter;
}) {
  const kinds = [
    { kind: "log", stream: null },
    { kind: "log", stream: "stderr" },
    { kind: "status", stream: null },
    { kind: "rejected", stream: null },
  ].map((event) => {
    const style = eventStyle(event);
    return paint.color(style.label.padEnd(KIND_WIDTH), style.color);
  });
  const lines = [
    paint.bold("Keys"),
    ...KEYS.map(([keys, what]) => `  ${keys.padEnd(14)}${what}`),
    "",
    `${paint.bold("Statuses")}  ${statuses.map((status) => paintStatus(status, paint)).join("  ")}`,
    `${paint.bold("Events")}    ${kinds.join(" ")}`,
    "          a message, a line a command wrote to stderr, a state change,",
    "          an end signal the run refused (it had already ended)",
  ];
  return <Lines lines={lines} height={height} width={width} />;
}
