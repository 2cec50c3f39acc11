/** One PASSIVE checkpoint's answer: pages in the log, and how many of them are copied. */
export interface LogProgress {
  log: number;
  checkpointed: number;
}

/**
 * Tells from the checkpoint thread's successive answers whether a reader is holding back the
 * copy of a large part of the log (see Checkpointer: the daemon's connection then leaves the
 * copying to the thread). A reader's snapshot stops every checkpoint at the frame it started
 * from, so the log runs ahead while the copy stands still; once the reader lets go the
 * thread copies it all, and the backlog is over when little is left.
 *
 * A copy that moves yet falls behind (a disk slower than the writes) is not such a backlog:
 * the daemon's own checkpoints, which make the writes wait, are then what bounds the log.
 */
export class CheckpointBacklog {
  private large = false;
  private previous: LogProgress | null = null;

  constructor(
    /** Pages ahead of a copy that stands still, past which the backlog is large... */
    private backlogPages: number,
    /** ...until the copy is fewer than this many pages behind. */
    private caughtUpPages: number,
  ) {}

  /** New thresholds, from the next answer on. */
  retune(backlogPages: number, caughtUpPages: number): void {
    this.backlogPages = backlogPages;
    this.caughtUpPages = caughtUpPages;
  }

  /** Takes the next answer; returns whether the backlog is large when that changed, else null. */
  observe(progress: LogProgress): boolean | null {
    const previous = this.previous;
    this.previous = progress;
    if (previous === null) return null;
    const behind = progress.log - progress.checkpointed;
    const rewound = progress.log < previous.log;
    const copied = rewound || progress.checkpointed > previous.checkpointed;
    const losing = copied && !rewound && behind > previous.log - previous.checkpointed;
    const large = this.large
      ? !(behind < this.caughtUpPages || losing)
      : behind > this.backlogPages && !copied;
    if (large === this.large) return null;
    this.large = large;
    return large;
  }
}
