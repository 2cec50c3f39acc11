import { closeSync, fdatasync, openSync } from "node:fs";

/**
 * Flushes the database's write-ahead log to disk from the thread pool. With SQLite at
 * synchronous=NORMAL a commit only writes the WAL; once this resolves, every commit made
 * before the call is on disk, exactly what synchronous=FULL would have waited for on the
 * event loop. (Checkpoints at NORMAL still sync the WAL before copying it into the database.)
 */
export class WalSync {
  private fd: number | null = null;

  constructor(private readonly dbFilename: string) {}

  sync(): Promise<void> {
    // The WAL exists from the first commit on and, while our connection is open, SQLite
    // never deletes it (a checkpoint may truncate it, which keeps the same file).
    try {
      this.fd ??= openSync(`${this.dbFilename}-wal`, "r");
    } catch (error) {
      return Promise.reject(error);
    }
    const fd = this.fd;
    return new Promise((resolve, reject) =>
      fdatasync(fd, (error) => (error ? reject(error) : resolve())),
    );
  }

  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}
