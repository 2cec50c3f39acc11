import { StatusBoxError, unavailable } from "../domain/errors.ts";

const BUSY_CODES = new Set(["SQLITE_BUSY", "SQLITE_LOCKED"]);
const STORAGE_CODES = ["SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN"];
/** The file is not (or no longer) a sound database: no retry mends it, a restore does. */
const DAMAGED_CODES = ["SQLITE_CORRUPT", "SQLITE_NOTADB"];

/** Whether SQLite refused because another connection holds a lock (extended codes too). */
export function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== null && BUSY_CODES.has(code.split("_").slice(0, 2).join("_"));
}

/** Whether SQLite found the file damaged, or not a database at all (extended codes too). */
export function isDamaged(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== null && DAMAGED_CODES.some((prefix) => code.startsWith(prefix));
}

/**
 * SQLite's storage failures (a lock held too long, a full disk, an I/O error, a read-only
 * file, a damaged file) as a 503, with SQLite's error as its `cause` for the log; anything
 * else is answered as it is, null here.
 */
export function storageFailure(error: unknown, what = "store the write"): StatusBoxError | null {
  if (error instanceof StatusBoxError) return error;
  const code = sqliteCode(error);
  if (code === null) return null;
  let failure: StatusBoxError;
  if (isBusy(error)) failure = unavailable("the database is locked by another process; try again");
  else if (STORAGE_CODES.some((prefix) => code.startsWith(prefix))) {
    failure = unavailable(`the database could not ${what} (${code}); try again later`);
  } else if (isDamaged(error)) {
    failure = unavailable(
      `the database file is damaged (${code}); StatusBox's operator must restore it from a backup`,
    );
  } else return null;
  failure.cause = error;
  return failure;
}

function sqliteCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : null;
}
