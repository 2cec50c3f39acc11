import type { Database } from "bun:sqlite";
import { dirname } from "node:path";
import type { CheckpointWorkerMessage, CheckpointWorkerReport } from "./checkpoint-worker.ts";
import { DiskRoom } from "./disk-room.ts";
import { freeDiskBytes } from "./disk-space.ts";
import {
  applyLogSettings,
  type LogSettings,
  roomyLogSettings,
  SMALL_LOG_SETTINGS,
} from "./log-settings.ts";

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
  /** Below this much free disk, the log is kept small (see DiskRoom, SMALL_LOG_SETTINGS)... */
  lowDiskBytes?: number;
  /** ...as this says, asked every `diskCheckIntervalMs`; by default, the database's filesystem. */
  freeDiskBytes?: () => number;
  diskCheckIntervalMs?: number;
  /** Told when the log is kept small for want of disk room, and when there is room again. */
  onDiskRoom?: (low: boolean, freeBytes: number) => void;
  /**
   * Told when writes must wait so that the log keeps room to go back into the database (see
   * DiskRoom), and when they may go on.
   */
  onWriteRoom?: (held: boolean, freeBytes: number, logBytes: number) => void;
  /** Told when the thread cannot start, or its checkpoints begin failing. */
  onError?: (message: string) => void;
  /** Told when the thread's checkpoints work again after failing. */
  onRecovered?: () => void;
}

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
/**
 * Free disk under which the log is kept small: about eight times what the large log takes,
 * so that it never holds more than an eighth of the room left.
 */
const LOW_DISK_BYTES = 1024 * 1024 * 1024;
const DISK_CHECK_INTERVAL_MS = 1000;
const STOP_WAIT_MS = 2000;

/**
 * Moves SQLite's checkpoints off the event loop. By default the connection that commits runs
 * a checkpoint inside its commit every 1,000 pages of log, copying pages back and syncing
 * the database file while every request waits: measured, most of the write routes' p99.
 * Here a worker thread with its own connection checkpoints as the log grows (see
 * checkpoint-worker.ts), and the daemon's connection only past `inlineAfterPages`. The log
 * file keeps its size while writes go on (cutting it back at a rewind is a truncate on the
 * event loop); the thread cuts it back once they pause.
 *
 * Note: if the thread cannot start, or the disk is nearly full, SQLite's default is put back,
 * so the log stays bounded and small.
 */
export class Checkpointer {
  private readonly worker: Worker;
  /** Settles once the thread's connection is closed, or the thread is gone. */
  private closed: Promise<void>;
  private markClosed!: () => void;
  private readonly roomy: LogSettings;
  private lowDisk = false;
  private backlog = false;
  private threadAvailable = true;
  private readonly diskRoom: DiskRoom;

  constructor(
    private readonly db: Database,
    options: CheckpointerOptions = {},
  ) {
    this.roomy = roomyLogSettings(options.inlineAfterPages ?? INLINE_AFTER_PAGES);
    this.applySettings();
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
      else if (data.type === "backlog") this.onBacklog(data.large);
      else if (data.type === "failing") {
        // The thread is not copying: the daemon's own checkpoints must not wait for it.
        this.onBacklog(false);
        options.onError?.(data.message);
      } else if (data.type === "recovered") options.onRecovered?.();
      else this.markClosed();
    };
    this.post({
      type: "start",
      path: db.filename,
      busyIntervalMs: options.busyIntervalMs ?? 10,
      idleIntervalMs: options.idleIntervalMs ?? 250,
      idleLogBytes: options.idleLogBytes ?? IDLE_LOG_BYTES,
      cutBackAfterIdleMs: options.cutBackAfterIdleMs ?? CUT_BACK_AFTER_IDLE_MS,
      ...this.backlogThresholds(),
    });
    // After the thread's start, which its first check may follow with new thresholds.
    this.diskRoom = new DiskRoom({
      dbPath: db.filename,
      lowDiskBytes: options.lowDiskBytes ?? LOW_DISK_BYTES,
      freeDiskBytes: options.freeDiskBytes ?? (() => freeDiskBytes(dirname(db.filename))),
      intervalMs: options.diskCheckIntervalMs ?? DISK_CHECK_INTERVAL_MS,
      backlog: () => this.backlog,
      onNearlyFull: (low, freeBytes) => {
        this.lowDisk = low;
        this.applySettings();
        this.post({ type: "thresholds", ...this.backlogThresholds() });
        options.onDiskRoom?.(low, freeBytes);
      },
      onWritesHeld: (held, freeBytes, logBytes) => options.onWriteRoom?.(held, freeBytes, logBytes),
    });
  }

  /** Stops the thread and closes its connection; the daemon's own close checkpoints the rest. */
  async stop(): Promise<void> {
    this.diskRoom.stop();
    this.post({ type: "stop" });
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, STOP_WAIT_MS).unref());
    await Promise.race([this.closed, timeout]);
    this.worker.terminate();
  }

  /**
   * A reader holding a snapshot keeps every checkpoint from copying what was written after
   * it, so the log runs far past the threshold with all of that uncopied. The commit after it
   * lets go would copy the backlog inside the commit, on the event loop: 200 ms for a log of
   * 2.6 GB (15 s at 29,000 events/s), against 18 ms with the thread left to copy it. So the
   * daemon's connection stops checkpointing while the thread has a backlog, and starts again
   * once the thread has caught up, when its checkpoint has little left to copy.
   */
  private onBacklog(large: boolean): void {
    this.backlog = large;
    this.applySettings();
    this.diskRoom.check();
  }

  /**
   * A backlog is a quarter of the threshold at which the daemon's connection checkpoints, and
   * over at a thirty-second: on a nearly full disk, where that threshold is small, writes must
   * wait early enough to keep room for it (see DiskRoom).
   */
  private backlogThresholds(): { backlogPages: number; caughtUpPages: number } {
    const pages = this.lowDisk ? SMALL_LOG_SETTINGS.inlineAfterPages : this.roomy.inlineAfterPages;
    return { backlogPages: pages / 4, caughtUpPages: pages / 32 };
  }

  /** What the daemon's connection is set to, from what is known of the thread and the disk. */
  private settings(): LogSettings {
    // No thread cuts the file back once writes pause: each rewind does.
    if (!this.threadAvailable) return SMALL_LOG_SETTINGS;
    const settings = this.lowDisk ? SMALL_LOG_SETTINGS : this.roomy;
    return this.backlog ? { ...settings, inlineAfterPages: 0 } : settings;
  }

  private useSqliteDefault(): void {
    this.threadAvailable = false;
    this.applySettings();
  }

  private applySettings(): void {
    try {
      applyLogSettings(this.db, this.settings());
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
