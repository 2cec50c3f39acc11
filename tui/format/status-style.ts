import { RUN_STATUSES } from "../../src/domain/run.ts";
import type { Color, Painter } from "./paint.ts";
import { oneLine } from "../../src/text/terminal-safe.ts";

/** How one status looks: a symbol and a word, so that it reads without colour, and a colour. */
export interface StatusStyle {
  symbol: string;
  label: string;
  color: Color | null;
}

/**
 * Styles of the statuses we know. "missed" is listed ahead of the daemon knowing it, so a
 * newer daemon's runs look right here too; any other status shows as "? <its name>".
 */
const STYLES: Record<string, StatusStyle> = {
  running: { symbol: "●", label: "running", color: "cyan" },
  completed: { symbol: "✓", label: "completed", color: "green" },
  failed: { symbol: "✗", label: "failed", color: "red" },
  cancelled: { symbol: "⊘", label: "cancelled", color: "yellow" },
  timed_out: { symbol: "◷", label: "timed out", color: "magenta" },
  missed: { symbol: "!", label: "missed", color: "yellow" },
};

// Every status of the domain must have a style; a new one without it fails here, at start.
for (const status of RUN_STATUSES) {
  if (!STYLES[status]) throw new Error(`no style for run status '${status}'`);
}

export function styleOf(status: string): StatusStyle {
  return (
    STYLES[status] ?? { symbol: "?", label: oneLine(status).replaceAll("_", " "), color: null }
  );
}

/** "✓ completed", coloured when the painter draws colours. */
export function paintStatus(status: string, paint: Painter): string {
  const style = styleOf(status);
  return paint.color(`${style.symbol} ${style.label}`, style.color);
}
