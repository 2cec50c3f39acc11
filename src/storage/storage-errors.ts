import { StatusBoxError, unavailable } from "../domain/errors.ts";

const BUSY_CODES = new Set(["SQLITE_BUSY", "SQLITE_LOCKED"]);
const STORAGE_CODES = ["SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_CANTOPEN"];

/** Whether SQLite refused because another connection holds a lock (extended codes too). */
export function isBusy(error: unknown): boolean {
  const code = sqliteCode(error);
  return code !== null && BUSY_CODES.has(code.split("_").slice(0, 2).join("_"));
}

/**
 * SQLite's storage failures (a lock held too long, a full disk, an I/O error, a read-only
 * file) as a 503 the client can retry; anything else is answered as it is, null here.
 */
export function storageFailure(error: unknown, what = "store the write"): StatusBoxError | null {
  if (error instanceof StatusBoxError) return error;
  const code = sqliteCode(error);
  if (code === null) return null;
  if (isBusy(error)) return unavailable("the database is locked by another process; try again");
  if (STORAGE_CODES.some((prefix) => code.startsWith(prefix))) {
    return unavailable(`the database could not ${what} (${code}); try again later`);
  }
  return null;
}

function sqliteCode(error: unknown): string | null {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("SQLITE_") ? code : null;
}
