import type { Database } from "bun:sqlite";

/**
 * The schema, as an ordered list of steps. `PRAGMA user_version` records how many have been
 * applied, so opening an older database brings it up to date in place. Never edit a step
 * that has shipped: add a new one.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    description: "runs, their events, and API keys",
    sql: `
      CREATE TABLE runs (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        version TEXT,
        status TEXT NOT NULL,
        timeout_seconds REAL NOT NULL,
        created_at INTEGER NOT NULL,
        deadline_at INTEGER NOT NULL,
        finished_at INTEGER,
        late_end_at INTEGER,
        exit_code INTEGER,
        end_message TEXT,
        event_count INTEGER NOT NULL DEFAULT 0
      );
      -- Start-up reads every open deadline; the partial index keeps that proportional to the
      -- runs still open rather than to the whole history.
      CREATE INDEX runs_open_deadline ON runs (deadline_at) WHERE status = 'running';
      CREATE INDEX runs_status ON runs (status, id);
      CREATE INDEX runs_name ON runs (name, id);
      CREATE INDEX runs_created ON runs (created_at);

      CREATE TABLE events (
        id INTEGER PRIMARY KEY,
        run_id INTEGER NOT NULL,
        at INTEGER NOT NULL,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        truncated INTEGER NOT NULL DEFAULT 0,
        stream TEXT
      );
      CREATE INDEX events_run ON events (run_id, id);

      CREATE TABLE api_keys (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL,
        scope TEXT NOT NULL CHECK (scope IN ('write', 'read')),
        secret_sha256 BLOB NOT NULL UNIQUE,
        created_at INTEGER NOT NULL,
        last_used_at INTEGER,
        revoked_at INTEGER
      );
    `,
  },
  {
    version: 3,
    description: "runs record how many of their events retention dropped",
    sql: "ALTER TABLE runs ADD COLUMN events_dropped INTEGER NOT NULL DEFAULT 0",
  },
];

/** The newest step's version (steps may land out of order while they are being written). */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** Applies every step newer than the database's version, each in its own transaction. */
export function migrate(db: Database): void {
  const current = (db.query("PRAGMA user_version").get() as { user_version: number })
    .user_version;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `the database has schema version ${current}, newer than this StatusBox (${SCHEMA_VERSION}); ` +
        "upgrade StatusBox",
    );
  }

  const ordered = [...MIGRATIONS].sort((a, b) => a.version - b.version);
  for (const migration of ordered) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.run(migration.sql);
      db.run(`PRAGMA user_version = ${migration.version}`);
    }).immediate();
  }
}
