import { statSync } from "node:fs";

/** How often the daemon looks at its database's path. */
const EVERY_MS = 1000;

/** What became of a database file since it was opened. */
export type FileChange = "deleted" | "replaced by another file";

/**
 * The file a path named when it was opened (its device and inode), to tell later whether the
 * path still names it. A connection keeps the file it opened whatever happens to the name.
 */
export class DatabaseFileIdentity {
  private readonly identity: string | null;

  constructor(private readonly path: string) {
    this.identity = identityOf(path);
  }

  /** What happened to the file since, or null (also for a path that named nothing at first). */
  change(): FileChange | null {
    if (this.identity === null) return null;
    const now = identityOf(this.path);
    if (now === this.identity) return null;
    return now === null ? "deleted" : "replaced by another file";
  }
}

/**
 * Notices the database file being deleted or replaced under the running daemon (an `rm`, a
 * restore done without stopping it). SQLite goes on writing to the file it opened, which no
 * name reaches any more: every write would be acknowledged and then lost when the daemon
 * stops. Once noticed, `problem` says what happened, for the daemon to refuse writes and
 * fail its health check rather than lose them quietly.
 */
export class DatabaseFileWatch {
  private readonly file: DatabaseFileIdentity;
  private timer: ReturnType<typeof setInterval> | null = null;
  problem: string | null = null;

  constructor(
    private readonly path: string,
    private readonly onProblem: (problem: string) => void,
  ) {
    this.file = new DatabaseFileIdentity(path);
  }

  start(everyMs = EVERY_MS): void {
    this.timer = setInterval(() => this.check(), everyMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  /** Looks once; answers the problem, if there is one now. */
  check(): string | null {
    if (this.problem !== null) return this.problem;
    const change = this.file.change();
    if (change === null) return null;
    this.problem =
      `the database file ${this.path} was ${change} while the daemon ran; writes are refused, ` +
      "since they would be lost: restart the daemon";
    this.stop();
    this.onProblem(this.problem);
    return this.problem;
  }
}

/** The device and inode of `path`, or null when nothing is there. */
function identityOf(path: string): string | null {
  try {
    const stats = statSync(path);
    return `${stats.dev}:${stats.ino}`;
  } catch {
    return null;
  }
}
