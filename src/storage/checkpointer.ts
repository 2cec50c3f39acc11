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
   * nearly everything, so little is left for this one to do on the event loop.
   */
  inlineAfterPages?: number;
  /** Told when the thread cannot start, or its checkpoints begin failing. */
  onError?: (message: string) => void;
  /** Told when the thread's checkpoints work again after failing. */
  onRecovered?: () => void;
}

/** SQLite's own default: a checkpoint inside the commit that passes 1,000 pages of log. */
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;
/** The WAL file is cut back to this size when the log rewinds, so a burst does not stay on disk. */
const WAL_SIZE_LIMIT_BYTES = 16 * 1024 * 1024;
const STOP_WAIT_MS = 2000;

/**
 * Moves SQLite's checkpoints off the event loop. By default the connection that commits runs
 * a checkpoint inside its commit every 1,000 pages of log, copying pages back and syncing
 * the database file while every request waits: measured, most of the write routes' p99.
 * Here a worker thread with its own connection checkpoints as the log grows (see
 * checkpoint-worker.ts), and the daemon's connection only past `inlineAfterPages`.
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
    db.run(`PRAGMA journal_size_limit = ${WAL_SIZE_LIMIT_BYTES}`);
    db.run(`PRAGMA wal_autocheckpoint = ${options.inlineAfterPages ?? 4000}`);
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
