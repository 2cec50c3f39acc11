/** One step of a compiled glob: any run of characters, exactly one, or this one. */
type Token = { kind: "star" } | { kind: "one" } | { kind: "char"; char: string };

export interface Glob {
  test(name: string): boolean;
}

/**
 * A glob on run names: `*` matches any run of characters (slashes included, since a name is
 * not a path), `?` exactly one character (a Unicode code point, so one emoji), and `\` makes
 * the next character literal. Everything else matches itself, case-sensitively.
 *
 * Matched by walking the name once per star at most, never through a regular expression: the
 * names come from clients, and `*a*a*a*a*b` as a regular expression backtracks exponentially
 * (seconds of a blocked event loop for a 64-letter name).
 */
export function compileGlob(pattern: string): Glob {
  const tokens: Token[] = [];
  const chars = Array.from(pattern);
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (char === "*") tokens.push({ kind: "star" });
    else if (char === "?") tokens.push({ kind: "one" });
    else if (char === "\\" && i + 1 < chars.length)
      tokens.push({ kind: "char", char: chars[++i]! });
    else tokens.push({ kind: "char", char });
  }
  return { test: (name) => matches(tokens, Array.from(name)) };
}

/**
 * The classic greedy match with one remembered star: on a mismatch, the last star takes one
 * more character and matching resumes after it. Time is at most pattern × name.
 */
function matches(tokens: Token[], name: string[]): boolean {
  let t = 0;
  let n = 0;
  let star = -1;
  let starName = 0;
  while (n < name.length) {
    const token = tokens[t];
    if (token?.kind === "star") {
      star = t++;
      starName = n;
    } else if (token && (token.kind === "one" || token.char === name[n])) {
      t++;
      n++;
    } else if (star >= 0) {
      t = star + 1;
      n = ++starName;
    } else {
      return false;
    }
  }
  while (tokens[t]?.kind === "star") t++;
  return t === tokens.length;
}

/** A matcher for a channel's `jobs` list: any pattern matches; no list matches every run. */
export function compileJobFilter(patterns: readonly string[] | null): (name: string) => boolean {
  if (patterns === null) return () => true;
  const compiled = patterns.map(compileGlob);
  return (name) => compiled.some((glob) => glob.test(name));
}
