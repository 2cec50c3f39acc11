import { statfsSync, statSync } from "node:fs";
import { dirname } from "node:path";

/** Size in bytes of a file, 0 when it does not exist (no WAL after a clean close). */
export function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

/** The size of the database's write-ahead log file. */
export const logFileBytes = (dbPath: string) => fileSize(`${dbPath}-wal`);

/** The bytes an unprivileged process may still write on the filesystem holding `dir`. */
export function freeDiskBytes(dir: string): number {
  try {
    const stats = statfsSync(dir);
    return stats.bavail * stats.bsize;
  } catch {
    // A filesystem that cannot say: taken as roomy.
    return Number.POSITIVE_INFINITY;
  }
}

/** The size of the log file and the room left beside it, in MiB, for a log line. */
export function logRoom(dbPath: string): { walMiB: number; freeMiB: number } {
  return {
    walMiB: mebibytes(logFileBytes(dbPath)),
    freeMiB: mebibytes(freeDiskBytes(dirname(dbPath))),
  };
}

export const mebibytes = (bytes: number) => Math.round(bytes / 2 ** 20);
