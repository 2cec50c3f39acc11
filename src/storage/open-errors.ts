import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname } from "node:path";
import { freeDiskBytes } from "./disk-space.ts";

/**
 * The database at `path` cannot be used: missing, a folder, not SQLite, another
 * application's, too new, or not writable. `reason` is one sentence for an operator; the
 * command line prints it as one line, the daemon logs it.
 */
export class DatabaseOpenError extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`cannot open the database ${path}: ${reason}`, options);
    this.name = "DatabaseOpenError";
  }
}

/**
 * Turns a failure to open or create the database into one sentence an operator can act on.
 * SQLite's own words ("unable to open database file") do not say why; the file system can:
 * a read-only mount, a file or folder this user may not write, a full disk, a file where a
 * folder should be.
 */
export function explainOpenError(path: string, error: unknown): DatabaseOpenError {
  if (error instanceof DatabaseOpenError) return error;
  const reason =
    diagnose(path, error) ??
    describeSqliteError(error) ??
    (isDiskNearlyFull(path) ? "the disk is full" : null) ??
    (error instanceof Error ? error.message : String(error));
  return new DatabaseOpenError(path, reason, { cause: error });
}

function diagnose(path: string, error: unknown): string | null {
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  if (code.startsWith("SQLITE_FULL") || code === "ENOSPC") return "the disk is full";
  if (code === "EROFS") return "the file system is read-only";
  if (existsSync(path) && statSync(path).isDirectory()) return "that path is a folder";

  const folder = nearestExisting(dirname(path));
  if (!statSync(folder).isDirectory()) return `${folder} is a file, not a folder`;
  for (const target of existsSync(path) ? [path, folder] : [folder]) {
    try {
      accessSync(target, constants.W_OK);
    } catch (problem) {
      if ((problem as { code?: string }).code === "EROFS") return "the file system is read-only";
      return target === path
        ? "the file is read-only for this user"
        : `the folder ${target} is not writable for this user (SQLite writes its -wal and ` +
            "-shm files beside the database)";
    }
  }
  return null;
}

function describeSqliteError(error: unknown): string | null {
  const code = String((error as { code?: unknown } | null)?.code ?? "");
  if (code === "SQLITE_NOTADB") {
    return "the file is not a database (SQLite does not know its format)";
  }
  if (code.startsWith("SQLITE_CORRUPT")) {
    return "the file is damaged (database disk image is malformed): restore it from a backup";
  }
  if (code.startsWith("SQLITE_BUSY")) return "another process holds it locked; try again";
  return null;
}

/**
 * Below this much free space, an open that fails for no other reason fails for want of room:
 * opening an existing database writes its -shm file (32 KiB) and the first pages of its -wal.
 */
const NEARLY_FULL_BYTES = 1024 * 1024;

/**
 * Whether the disk that holds (or would hold) the file at `path` has almost no room left for
 * this user; false when the file system does not say. For an error nothing else explains:
 * SQLite reports a full disk as SQLITE_FULL only when a write of the database itself fails,
 * and as "disk I/O error" (SQLITE_IOERR_SHMSIZE) when it cannot size the -shm file.
 */
export function isDiskNearlyFull(path: string): boolean {
  return freeDiskBytes(nearestExisting(dirname(path))) < NEARLY_FULL_BYTES;
}

/** `dir` or its nearest ancestor that exists (the root always does). */
function nearestExisting(dir: string): string {
  while (!existsSync(dir) && dir !== dirname(dir)) dir = dirname(dir);
  return dir;
}
