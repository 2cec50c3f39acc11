/**
 * The rules of a job name, the same wherever a name comes in: a run created over the API or
 * by `statusbox run` / `job start`, and a schedule from the API or the config file. A name is
 * what runs are grouped, filtered, scheduled and alerted by, and it is printed on terminals,
 * so it must show as something. It is never trimmed: clients match their runs by the exact
 * name they sent.
 */

export const MAX_NAME_CHARACTERS = 64;

/** C0 and C1 control characters and DEL: NUL, tab, newline, ESC and the like. */
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The length of a name or version in Unicode code points, not UTF-16 units or bytes: a letter
 * of any script or a single emoji is one, but an emoji built of several code points (a flag,
 * a family, a skin tone) counts as each of them.
 */
export const characterCount = (text: string): number => {
  let count = 0;
  for (const _ of text) count++;
  return count;
};

/** What is wrong with a job name, as a sentence opening with `field`; null when it is fine. */
export function jobNameProblem(name: string, field = "name"): string | null {
  if (name.length === 0) return `${field} must not be empty`;
  if (characterCount(name) > MAX_NAME_CHARACTERS) {
    return `${field} must be at most ${MAX_NAME_CHARACTERS} characters`;
  }
  // SQLite stores UTF-8, where a lone surrogate (JSON "\ud800") becomes U+FFFD: the run would
  // not be found again by the name its client sent.
  if (!name.isWellFormed()) return `${field} must not contain a lone UTF-16 surrogate`;
  if (!/\S/u.test(name)) return `${field} must not be only white space`;
  if (CONTROL_CHARACTER.test(name)) {
    return `${field} must not contain control characters (such as NUL, tab, newline or ESC)`;
  }
  return null;
}
