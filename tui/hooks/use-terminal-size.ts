import { useWindowSize } from "ink";

export interface TerminalSize {
  columns: number;
  rows: number;
}

/**
 * The terminal's size, updated on resize; `fixed` overrides it (tests render at a chosen size,
 * since a test stream has no rows of its own).
 */
export function useTerminalSize(fixed?: TerminalSize): TerminalSize {
  const measured = useWindowSize();
  return fixed ?? measured;
}
