import { logFileBytes } from "./disk-space.ts";

export interface DiskRoomOptions {
  dbPath: string;
  /** Below this much free, the disk is nearly full, until half as much again is free. */
  lowDiskBytes: number;
  freeDiskBytes: () => number;
  /** The pause between two checks while there is room (they come faster without). */
  intervalMs: number;
  /** Whether a reader is holding back the copy of the log (the checkpoint thread says). */
  backlog: () => boolean;
  onNearlyFull: (nearlyFull: boolean, freeBytes: number) => void;
  onWritesHeld: (held: boolean, freeBytes: number, logBytes: number) => void;
}

/** While the disk is nearly full or a reader holds the log: 1.5 MB of log at 144 MB/s. */
const WATCHFUL_INTERVAL_MS = 10;
/**
 * What the log may grow by before writes are held: the fastest growth measured is 144 MB/s
 * (12 KB events on a tmpfs), and the backlog is known a thread step (10 ms) late, then held
 * at the next check (10 ms). At 50 ms between checks this margin fell short, 1 time in 8.
 */
const HOLD_MARGIN_BYTES = 8 * 1024 * 1024;

/**
 * Watches the room left on the database's disk: whether it is nearly full (the checkpointer
 * then keeps the log small), and whether writes must wait to keep room for the log.
 *
 * The margin between nearly full and room again is there because the large log takes about
 * 136 MB of what is free: leaving at the line it entered at would come straight back under it
 * (measured: a warning every 1 to 4 s under load).
 *
 * Writes wait while a reader holds back the copy of the log and less is free than the log
 * file holds plus a margin for what is written before the next check:
 * every page in the log may be a new page of the database. The log grows for as long as the
 * reader holds on, and its pages can go back only once the database file can grow: with no
 * room left, every write failed, even after the reader let go, until someone freed space.
 * Writes that wait keep that room, and go on once the thread has copied the backlog. A log
 * the thread keeps up with needs no such room: the disk then fills with data.
 */
export class DiskRoom {
  private nearlyFull = false;
  private held = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly options: DiskRoomOptions) {
    this.check();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Checks at once (the backlog changed), then on the usual pace. */
  check(): void {
    if (this.timer) clearTimeout(this.timer);
    const { lowDiskBytes, intervalMs } = this.options;
    const freeBytes = this.options.freeDiskBytes();
    const nearlyFull = freeBytes < (this.nearlyFull ? lowDiskBytes * 1.5 : lowDiskBytes);
    if (nearlyFull !== this.nearlyFull) {
      this.nearlyFull = nearlyFull;
      this.options.onNearlyFull(nearlyFull, freeBytes);
    }
    // On any disk, not only a nearly full one: a log of mostly new pages under a reader
    // outgrew what was left of 2 GiB before that was under 1 GiB (1.3 GiB of log, 672 MiB free).
    const backlog = this.options.backlog();
    const logBytes = backlog || this.held ? logFileBytes(this.options.dbPath) : 0;
    const held = backlog && freeBytes < logBytes + HOLD_MARGIN_BYTES;
    if (held !== this.held) {
      this.held = held;
      this.options.onWritesHeld(held, freeBytes, logBytes);
    }
    const watchful = nearlyFull || backlog;
    const next = watchful ? Math.min(intervalMs, WATCHFUL_INTERVAL_MS) : intervalMs;
    this.timer = setTimeout(() => this.check(), next);
    this.timer.unref();
  }
}
