/**
 * A glob on run names: `*` matches any run of characters (slashes included, since a name is
 * not a path), `?` exactly one character (a Unicode code point), and `\` makes the next
 * character literal. Everything else matches itself, case-sensitively.
 */
export function compileGlob(pattern: string): RegExp {
  const chars = Array.from(pattern);
  let source = "";
  for (let i = 0; i < chars.length; i++) {
    const char = chars[i]!;
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else if (char === "\\" && i + 1 < chars.length) source += escape(chars[++i]!);
    else source += escape(char);
  }
  // The `u` flag makes `.` match a whole code point, so `?` matches one emoji, not half of it.
  return new RegExp(`^${source}$`, "su");
}

function escape(char: string): string {
  return char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** A matcher for a channel's `jobs` list: any pattern matches; no list matches every run. */
export function compileJobFilter(patterns: readonly string[] | null): (name: string) => boolean {
  if (patterns === null) return () => true;
  const compiled = patterns.map(compileGlob);
  return (name) => compiled.some((regex) => regex.test(name));
}
