import type { Database } from "bun:sqlite";
import type { CheckpointWorkerMessage, CheckpointWorkerReport } from "./checkpoint-worker.ts";

export interface CheckpointerOptions {
  /** The pause between the thread's checkpoints while the log grows. */
  busyIntervalMs?: number;
  /** The longest pause, reached by doubling while nothing is written. */
  idleIntervalMs?: number;
  /**
   * The log size, in pages, past which the daemon's own connection checkpoints after a
   * commit. Under sustained writes the thread never finds the log wholly copied at the moment
   * a write begins, and only then does SQLite rewind the log to its start; this checkpoint,
   * run between two batches, lets the next batch rewind it. By then the thread has copied
   * nearly everything, but the checkpoint still syncs the log and the database file on the
   * event loop (2 to 6 ms here), so the threshold sets how often requests wait that long.
   */
  inlineAfterPages?: number;
  /** A log file larger than this is cut back to nothing once writes pause... */
  idleLogBytes?: number;
  /** ...for this long. */
  cutBackAfterIdleMs?: number;
  /** Told when the thread cannot start, or its checkpoints begin failing. */
  onError?: (message: string) => void;
  /** Told when the thread's checkpoints work again after failing. */
  onRecovered?: () => void;
}

/** SQLite's own default: a checkpoint inside the commit that passes 1,000 pages of log. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;
/**
 * 128 MiB of log at 4 KiB pages. Under sustained writes the log then rewinds one to two
 * times a second rather than ten (at 4,000 pages, measured at 40,000 events/s): the p99 of
 * the event route at `normal` fell from 4.4 to 2.5 ms, since fewer batches wait behind the
 * inline checkpoint's syncs.
 */
const INLINE_AFTER_PAGES = 32_000;
/** What a log file may keep on disk once writes pause (it is cut back to nothing). */
const IDLE_LOG_BYTES = 16 * 1024 * 1024;
/** The pause in writes after which the log file is cut back: a burst's short gaps are not one. */
const CUT_BACK_AFTER_IDLE_MS = 1000;
/** Room above the threshold for the batch that crosses it (a WAL frame is a page + 24 bytes). */
const LOG_HEADROOM_BYTES = 8 * 1024 * 1024;
const STOP_WAIT_MS = 2000;

/**
 * Moves SQLite's checkpoints off the event loop. By default the connection that commits runs
 * a checkpoint inside its commit every 1,000 pages of log, copying pages back and syncing
 * the database file while every request waits: measured, most of the write routes' p99.
 * Here a worker thread with its own connection checkpoints as the log grows (see
 * checkpoint-worker.ts), and the daemon's connection only past `inlineAfterPages`. The log
 * file keeps its size while writes go on (cutting it back at each rewind would cost a large
 * truncate on the event loop); the thread cuts it back once they pause.
 *
 * Note: if the thread cannot start, SQLite's default is put back, so the log stays bounded
 * either way.
 */
export class Checkpointer {
  private readonly worker: Worker;
  /** Settles once the thread's connection is closed, or the thread is gone. */
  private closed: Promise<void>;
  private markClosed!: () => void;

  constructor(
    private readonly db: Database,
    options: CheckpointerOptions = {},
  ) {
    const inlineAfterPages = options.inlineAfterPages ?? INLINE_AFTER_PAGES;
    const pageSize = db.query<{ page_size: number }, []>("PRAGMA page_size").get()!.page_size;
    // A log that grew past the threshold (a reader held it) is cut back to it at a rewind.
    const logLimit = inlineAfterPages * (pageSize + 24) + LOG_HEADROOM_BYTES;
    db.run(`PRAGMA journal_size_limit = ${logLimit}`);
    db.run(`PRAGMA wal_autocheckpoint = ${inlineAfterPages}`);
    this.closed = new Promise((resolve) => (this.markClosed = resolve));

    const unavailable = (message: string) => {
      this.useSqliteDefault();
      options.onError?.(message);
    };
    this.worker = new Worker(workerSpecifier());
    this.worker.addEventListener("close", () => this.markClosed());
    this.worker.onerror = (event) => unavailable(`checkpoint thread: ${event.message}`);
    this.worker.onmessage = ({ data }: MessageEvent<CheckpointWorkerReport>) => {
      if (data.type === "unavailable") unavailable(data.message);
      else if (data.type === "failing") options.onError?.(data.message);
      else if (data.type === "recovered") options.onRecovered?.();
      else this.markClosed();
    };
    this.post({
      type: "start",
      path: db.filename,
      busyIntervalMs: options.busyIntervalMs ?? 10,
      idleIntervalMs: options.idleIntervalMs ?? 250,
      idleLogBytes: options.idleLogBytes ?? IDLE_LOG_BYTES,
      cutBackAfterIdleMs: options.cutBackAfterIdleMs ?? CUT_BACK_AFTER_IDLE_MS,
    });
  }

  /** Stops the thread and closes its connection; the daemon's own close checkpoints the rest. */
  async stop(): Promise<void> {
    this.post({ type: "stop" });
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref());
    await Promise.race([this.closed, timeout]);
    this.worker.terminate();
  }

  private useSqliteDefault(): void {
    try {
      this.db.run(`PRAGMA wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
      // No thread cuts the file back once writes pause: each rewind does, to this size.
      this.db.run(`PRAGMA journal_size_limit = ${IDLE_LOG_BYTES}`);
    } catch {
      // The database is already closed: nothing is left to checkpoint.
    }
  }

  private post(message: CheckpointWorkerMessage): void {
    this.worker.postMessage(message);
  }
}

/**
 * Where the thread's module is. Run from the sources it is the file beside this one. In the
 * compiled binary (whose modules live under /$bunfs/), it is an entry point of the build
 * (scripts/build.ts), named by its path from src/, the folder of the build's entry points;
 * a URL relative to this module would point inside the bundled main module instead.
 */
function workerSpecifier(): string {
  const compiled = import.meta.url.includes("/$bunfs/");
  return compiled
    ? "./storage/checkpoint-worker.ts"
    : new URL("./checkpoint-worker.ts", import.meta.url).href;
}
