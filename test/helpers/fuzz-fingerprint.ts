import type { Database } from "bun:sqlite";

/**
 * What a fingerprint leaves out or reads differently. Tables and columns not named here are
 * compared whole, so a table or column added later is covered without a change here.
 */
export interface FingerprintRules {
  /** Tables left out. */
  skip: readonly string[];
  /** Per table, a WHERE clause choosing the rows compared (default: all). */
  rows?: Readonly<Record<string, string>>;
  /** Per table and column, the SQL expression compared in its place; null leaves it out. */
  columns?: Readonly<Record<string, Readonly<Record<string, string | null>>>>;
}

/**
 * Every table but the API keys: a key's `last used` is touched by any request that shows it,
 * refused or not, so it is no sign of a refused request storing something.
 */
export const EVERY_TABLE_BUT_KEYS: FingerprintRules = { skip: ["api_keys"] };

/**
 * A summary of the database under `rules`, cheap enough to take around each request: per
 * table, the row count and, per column, the total length and the total of its numbers. A
 * request that inserts, deletes or changes a compared value changes it.
 */
export function fingerprintQuery(db: Database, rules: FingerprintRules): () => string {
  const tables = db
    .query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`)
    .all() as { name: string }[];
  const parts = tables
    .filter(({ name }) => !rules.skip.includes(name))
    .map(({ name }) => tableSummary(db, name, rules));
  const statement = db.query(`SELECT ${parts.join(" || '|' || ")} AS print`);
  return () => (statement.get() as { print: string }).print;
}

function tableSummary(db: Database, table: string, rules: FingerprintRules): string {
  const columns = db.query(`SELECT name FROM pragma_table_info('${table}')`).all() as {
    name: string;
  }[];
  const overrides = rules.columns?.[table] ?? {};
  const sums = columns.flatMap(({ name }) => {
    const value = name in overrides ? overrides[name] : `"${name}"`;
    if (value === null || value === undefined) return [];
    return [
      `total(length(CAST(${value} AS BLOB)))`,
      `total(CASE WHEN typeof(${value}) IN ('integer', 'real') THEN ${value} END)`,
    ];
  });
  const where = rules.rows?.[table] ?? "1";
  return `(SELECT count(*) || ':' || ${sums.join(" || ':' || ")} FROM "${table}" WHERE ${where})`;
}
