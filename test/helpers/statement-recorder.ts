import type { Database, Statement } from "bun:sqlite";

/** One statement prepared on a connection, and the parameters it was first run with. */
export interface RecordedStatement {
  sql: string;
  /** The arguments of its first run; null while it has only been prepared. */
  params: unknown[] | null;
}

type Prepare = (sql: string, ...rest: unknown[]) => Statement;
const RUNS = ["all", "get", "run", "values", "iterate"] as const;

/**
 * Records every statement prepared on `db` from now on, through `query` or `prepare`, keyed
 * by its SQL, with the parameters of its first run: the SQL the code really runs, for
 * checking its query plans, rather than a copy typed into a test.
 */
export function recordStatements(db: Database): Map<string, RecordedStatement> {
  const recorded = new Map<string, RecordedStatement>();
  // `query` hands out one cached Statement per SQL text: instrument each only once.
  const instrumented = new WeakSet<Statement>();
  // Replaced on this connection only; the casts drop the overloads of the generic methods.
  const methods = db as unknown as Record<"query" | "prepare", Prepare>;

  for (const name of ["query", "prepare"] as const) {
    const original = methods[name].bind(db);
    methods[name] = (sql, ...rest) => {
      const statement = original(sql, ...rest);
      const entry = recorded.get(sql) ?? { sql, params: null };
      recorded.set(sql, entry);
      if (!instrumented.has(statement)) {
        instrumented.add(statement);
        noteFirstRun(statement, entry);
      }
      return statement;
    };
  }
  return recorded;
}

function noteFirstRun(statement: Statement, entry: RecordedStatement): void {
  const target = statement as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const method of RUNS) {
    const original = target[method]!.bind(statement);
    target[method] = (...args) => {
      entry.params ??= args;
      return original(...args);
    };
  }
}
