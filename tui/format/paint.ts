/** The colours the UI uses; each maps to the terminal's own palette, so themes apply. */
export type Color = "red" | "green" | "yellow" | "blue" | "magenta" | "cyan" | "gray";

const FOREGROUND: Record<Color, number> = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  gray: 90,
};

/** Wraps text in SGR escapes. Ink measures and cuts text with escapes in it correctly. */
export interface Painter {
  /** True when colours are drawn; when false, colour() returns the text unchanged. */
  readonly colors: boolean;
  color(text: string, color: Color | null): string;
  bold(text: string): string;
  dim(text: string): string;
  inverse(text: string): string;
}

/**
 * A painter with colours on or off. Bold, dim and inverse are drawn either way: NO_COLOR asks
 * for no colour, and these are not colours (they stay readable on a monochrome terminal).
 */
export function painter(colors: boolean): Painter {
  return {
    colors,
    color: (text, color) =>
      colors && color !== null ? `\x1b[${FOREGROUND[color]}m${text}\x1b[39m` : text,
    bold: (text) => `\x1b[1m${text}\x1b[22m`,
    dim: (text) => `\x1b[2m${text}\x1b[22m`,
    inverse: (text) => `\x1b[7m${text}\x1b[27m`,
  };
}

/** A painter that draws nothing, for plain text (the snapshot, tests of layout). */
export const plain: Painter = {
  colors: false,
  color: (text) => text,
  bold: (text) => text,
  dim: (text) => text,
  inverse: (text) => text,
};

/**
 * Whether to draw colours, decided once at start: NO_COLOR (any value, see no-color.org) or
 * TERM=dumb turn them off, FORCE_COLOR (not "0" or "false") turns them on. We decide ourselves
 * because chalk, which Ink uses, does not read NO_COLOR.
 */
export function wantsColor(env: Record<string, string | undefined>, isTTY: boolean): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  if (env.TERM === "dumb") return false;
  return isTTY;
}
