import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname } from "node:path";

/**
 * Turns a failure to open or create the database into one sentence an operator can act on.
 * SQLite's own words ("unable to open database file") do not say why; the file system can:
 * a read-only mount, a file or folder this user may not write, a full disk, a file where a
 * folder should be.
 */
export function explainOpenError(path: string, error: unknown): Error {
  const original = error instanceof Error ? error.message : String(error);
  const reason = diagnose(path, error) ?? original;
  return new Error(`cannot open the database ${path} for writing: ${reason}`, { cause: error });
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

/** `dir` or its nearest ancestor that exists (the root always does). */
function nearestExisting(dir: string): string {
  while (!existsSync(dir) && dir !== dirname(dir)) dir = dirname(dir);
  return dir;
}
