/**
 * How the daemon's connection treats its write-ahead log: when a commit checkpoints on the
 * event loop (`wal_autocheckpoint`), and the size a rewind cuts the log file back to
 * (`journal_size_limit`, -1 for never).
 */
export interface LogSettings {
  inlineAfterPages: number;
  rewindLimitBytes: number;
}

/** SQLite's own default: a checkpoint inside the commit that passes 1,000 pages of log. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;
const SMALL_LOG_LIMIT_BYTES = 16 * 1024 * 1024;

/**
 * With a checkpoint thread and room on the disk: a large log, which rewinds rarely, and a log
 * file never cut back at a rewind. A reader that holds a snapshot under heavy writes lets the
 * log grow past any threshold (5 GB in 40 s at 30,000 events/s, measured); cutting that back
 * at the rewind is one truncate on the event loop, 0.8 to 1.6 s during which nothing is
 * served. The checkpoint thread cuts it back instead, once writes pause, off the event loop.
 */
export function roomyLogSettings(inlineAfterPages: number): LogSettings {
  return { inlineAfterPages, rewindLimitBytes: -1 };
}

/**
 * SQLite's own checkpoints, and a log file cut back to 16 MiB at each rewind: for when no
 * thread checkpoints, or the disk is nearly full. A log the size of the roomy threshold
 * (about 136 MB) can only be reused, not emptied, while a checkpoint cannot grow the database
 * file: on a full disk every write is then refused, with most of the room held by the log.
 */
export const SMALL_LOG_SETTINGS: LogSettings = {
  inlineAfterPages: SQLITE_DEFAULT_AUTOCHECKPOINT,
  rewindLimitBytes: SMALL_LOG_LIMIT_BYTES,
};

export function applyLogSettings(db: { run(sql: string): unknown }, settings: LogSettings): void {
  db.run(`PRAGMA wal_autocheckpoint = ${settings.inlineAfterPages}`);
  db.run(`PRAGMA journal_size_limit = ${settings.rewindLimitBytes}`);
}
