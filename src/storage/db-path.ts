import { lstatSync, readlinkSync, realpathSync, statSync, type Stats } from "node:fs";
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

/**
 * Refuses a path that names something other than a file: SQLite would read a FIFO's header
 * for ever or fail on a device with a bare "disk I/O error". A missing path passes (it is
 * created); a link is judged by what it points at, and a dangling one or a loop is named so.
 */
export function refuseNonFile(path: string): void {
  let stats: Stats;
  try {
    stats = statSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ELOOP") throw new DatabaseOpenError(path, "a loop of symbolic links");
    if (code === "ENOENT" && isLink(path)) {
      throw new DatabaseOpenError(
        path,
        `a symbolic link to ${readlinkSync(path)}, which does not exist: create the file it ` +
          "points at, or name the database by another path",
      );
    }
    return;
  }
  if (stats.isFile()) return;
  if (stats.isDirectory()) throw new DatabaseOpenError(path, "that path is a folder");
  const kind = stats.isFIFO() ? "a FIFO" : stats.isSocket() ? "a socket" : "a device";
  throw new DatabaseOpenError(path, `that path is ${kind}, not a file`);
}

function isLink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false;
  }
}
