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
 * stops. While the path names another file or none, `problem` says what happened, for the
 * daemon to refuse writes and fail its health check rather than lose them quietly; a file
 * renamed away and back is the same file again, and writes resume.
 *
 * Note: a file copied over in place (`cp backup.db statusbox.db`) keeps its inode, and is not
 * noticed: SQLite's pages are overwritten under it, which no check of the name can see.
 */
export class DatabaseFileWatch {
  private readonly file: DatabaseFileIdentity;
  private timer: ReturnType<typeof setInterval> | null = null;
  problem: string | null = null;

  constructor(
    private readonly path: string,
    private readonly onChange: (problem: string | null) => void,
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
    const change = this.file.change();
    const problem =
      change === null
        ? null
        : `the database file ${this.path} was ${change} while the daemon ran; writes are ` +
          "refused, since they would be lost: restart the daemon";
    if (problem !== this.problem) {
      this.problem = problem;
      this.onChange(problem);
    }
    return problem;
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
