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
    version: 2,
    description: "the alerts outbox, every delivery attempt, and cooldown windows",
    sql: `
      -- One row per alert to deliver, written in the same transaction as the state change
      -- that caused it, so that an alert is never lost nor sent for a change that rolled back.
      CREATE TABLE alert_outbox (
        id INTEGER PRIMARY KEY,
        channel TEXT NOT NULL,
        run_id INTEGER,
        run_name TEXT NOT NULL,
        trigger TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        next_attempt_at INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
        idempotency_key TEXT NOT NULL UNIQUE,
        finished_at INTEGER
      );
      -- The dispatcher polls for due alerts; the partial index keeps that proportional to the
      -- alerts still pending rather than to the whole history.
      CREATE INDEX alert_outbox_due ON alert_outbox (next_attempt_at) WHERE state = 'pending';

      CREATE TABLE alert_attempts (
        id INTEGER PRIMARY KEY,
        outbox_id INTEGER NOT NULL,
        channel TEXT NOT NULL,
        at INTEGER NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('delivered', 'failed', 'permanent_failure')),
        status_code INTEGER,
        error TEXT,
        duration_ms INTEGER NOT NULL
      );
      CREATE INDEX alert_attempts_outbox ON alert_attempts (outbox_id);
      CREATE INDEX alert_attempts_channel ON alert_attempts (channel, id);

      -- The last alert per channel and run name, and how many were held back since.
      CREATE TABLE alert_cooldowns (
        channel TEXT NOT NULL,
        run_name TEXT NOT NULL,
        last_alert_at INTEGER NOT NULL,
        held_back INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (channel, run_name)
      ) WITHOUT ROWID;

      -- threshold and recovered look at the last finished runs of a name, in the order they
      -- finished, inside the write transaction of each state change.
      CREATE INDEX runs_name_finished ON runs (name, finished_at);
    `,
  },
  {
    version: 3,
    description: "runs record how many of their events retention dropped",
    sql: "ALTER TABLE runs ADD COLUMN events_dropped INTEGER NOT NULL DEFAULT 0",
  },
  {
    version: 4,
    description: "schedules per job name, and missed runs with their expected time",
    sql: `
      -- One schedule per job name: a cron expression in a time zone, or a fixed period. The
      -- window whose end the checker waits for next is stored, so that a restart goes on
      -- from where the daemon stopped instead of from its start-up time.
      CREATE TABLE schedules (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        cron TEXT,
        tz TEXT,
        every_ms INTEGER,
        grace_ms INTEGER NOT NULL,
        source TEXT NOT NULL CHECK (source IN ('api', 'config')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        window_opens_at INTEGER NOT NULL,
        next_expected_at INTEGER NOT NULL,
        CHECK ((cron IS NULL) <> (every_ms IS NULL))
      );
      ALTER TABLE runs ADD COLUMN expected_at INTEGER;
      ALTER TABLE runs ADD COLUMN missed_windows INTEGER;
      -- "Did a run of this name start in this window?" and the names view's 24 h and 7 d
      -- counts are ranges of creation time within one name; with status in the index they
      -- never touch the table (on a million runs, the counts of 200 names went from 2.2 s
      -- to 0.3 s).
      CREATE INDEX runs_name_created ON runs (name, created_at, status);
      -- The names view's last success and durations: a name's last completed runs, without
      -- reading back through its failures (a name that always fails has no end to them).
      CREATE INDEX runs_name_completed ON runs (name, id, created_at, finished_at)
        WHERE status = 'completed';
    `,
  },
  {
    version: 5,
    description: "idempotency keys of event batches, kept with the events they stored",
    sql: `
      -- A retried batch (its answer was lost) must not be stored twice, even when the retry
      -- reaches a restarted daemon: the key is written in the same transaction as the events.
      CREATE TABLE batch_keys (
        run_id INTEGER NOT NULL,
        key TEXT NOT NULL,
        stored INTEGER NOT NULL,
        created_at INTEGER NOT NULL,
        PRIMARY KEY (run_id, key)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 6,
    description: "batch keys remember a digest of their batch, to refuse a key reused for another",
    // NULL on keys stored before: such a key still dedupes, unchecked, until retention ends it.
    sql: "ALTER TABLE batch_keys ADD COLUMN messages_sha256 BLOB",
  },
  {
    version: 7,
    description: "run ids are never reused, even after retention removed the newest runs",
    sql: `
      -- SQLite gives a new row the highest id plus one: once retention removed the newest
      -- runs, their ids went to the next ones, and alerts, links and clients naming a run by
      -- its id then pointed at another run. A new run takes the next id above both the runs
      -- still stored and this floor, which is raised whenever the run removed was the newest
      -- left (so once per prune, not once per run removed).
      CREATE TABLE run_id_floor (id INTEGER NOT NULL);
      INSERT INTO run_id_floor VALUES (0);
      CREATE TRIGGER runs_raise_id_floor AFTER DELETE ON runs
        WHEN OLD.id > coalesce((SELECT max(id) FROM runs), 0)
      BEGIN
        UPDATE run_id_floor SET id = max(id, OLD.id);
      END;
    `,
  },
  {
    version: 8,
    description: "the pending alerts indexed by channel, for the per-channel delivery limit",
    sql: `
      -- The dispatcher reads the first due alerts of each channel that has a free slot. By
      -- channel, a channel that is stuck behind a long backlog costs one seek on each pass,
      -- not a scan of its backlog (alert_outbox_due alone, by time, would read through it).
      CREATE INDEX alert_outbox_due_by_channel ON alert_outbox (channel, next_attempt_at)
        WHERE state = 'pending';
    `,
  },
];

/** The newest step's version (steps may land out of order while they are being written). */
export const SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));

/** Applies every step newer than the database's version, each in its own transaction. */
export function migrate(db: Database): void {
  const current = (db.query("PRAGMA user_version").get() as { user_version: number }).user_version;
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
