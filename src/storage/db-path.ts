import { lstatSync, realpathSync, statSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { DatabaseOpenError } from "./open-errors.ts";

/**
 * The path SQLite really uses for `path`: absolute, with symbolic links resolved. SQLite keeps
 * the -wal and -shm files beside the file a link points at, so the daemon's WAL sync and its
 * lock must name that file too, or a second daemon could serve the same file through a link.
 * A path that does not exist yet is resolved through its nearest existing folder.
 */
export function canonicalDbPath(path: string): string {
  const absolute = resolve(path);
  try {
    return realpathSync(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    // A dangling link is left as it is: creating the file refuses to follow it.
    if (isLink(absolute)) return absolute;
    return join(canonicalDbPath(parent), basename(absolute));
  }
}

/**
 * Refuses a database file with more than one name (hard links). SQLite keeps its log beside
 * the name it was opened by, so what is written through one name is missing, and may be lost,
 * through another; no lock by name can stop that.
 */
export function refuseHardLinks(path: string): void {
  const stats = statSync(path);
  // A folder counts its subfolders as links; it is refused as a folder elsewhere.
  if (!stats.isFile() || stats.nlink <= 1) return;
  const links = stats.nlink;
  throw new DatabaseOpenError(
    path,
    `the file has ${links} names (hard links); SQLite keeps its log beside each name, so ` +
      "writes through one would be lost to the others: keep a single name (a copy, or a " +
      "symbolic link, is fine)",
  );
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
