import { Database } from "bun:sqlite";
import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
} from "node:fs";
import { dirname, join, resolve } from "node:path";
import { CONFIG_OPTION, ConfigError } from "../../config/config-file.ts";
import { resolveDbPath } from "../../config/operations-settings.ts";
import { DB_OPTION } from "../../config/settings.ts";
import { DatabaseOpenError, openDatabaseReadOnly } from "../../storage/database.ts";
import { canonicalDbPath } from "../../storage/db-path.ts";
import { stringOption, UsageError, type Command } from "../command.ts";

export const backupCommand: Command = {
  path: ["backup"],
  summary: "Copy the database safely, even while the daemon writes",
  usage: `Usage: statusbox backup --out FILE [--db PATH] [--force]

Makes a consistent copy of the database while the daemon runs and writes (SQLite's
VACUUM INTO: one read snapshot, the daemon is never blocked), checks the copy with
PRAGMA integrity_check, and only then moves it to FILE. The copy holds every write the
daemon had acknowledged when the backup began. It never changes the database it copies.

To restore: stop the daemon, remove the database's -wal and -shm files, replace the
database with the copy, start the daemon.

Options:
  --out FILE     where to write the copy (mode 0600; its folder is created)
  --force        replace FILE if it exists
  --db PATH      database file (STATUSBOX_DB, [server] db, default ./statusbox.db)
  --config PATH  config file (STATUSBOX_CONFIG, default ./statusbox.toml)
`,
  options: { ...DB_OPTION, ...CONFIG_OPTION, out: { type: "string" }, force: { type: "boolean" } },
  async run(args, io) {
    const out = stringOption(args, "out");
    if (out === undefined || out === "") throw new UsageError("--out FILE is required");
    let dbPath: string;
    try {
      dbPath = resolve(resolveDbPath(args).dbPath);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr(`statusbox backup: ${error.message}\n`);
      return 2;
    }

    const target = resolve(out);
    const refusal = checkPaths(dbPath, target, args.values.force === true);
    if (refusal) {
      io.stderr(`statusbox backup: ${refusal}\n`);
      return 1;
    }

    const started = performance.now();
    let result: BackupResult;
    try {
      result = backupDatabase(dbPath, target);
    } catch (error) {
      // Not SQLite, or another application's: the same line as every command's.
      if (error instanceof DatabaseOpenError) throw error;
      // A folder that cannot be written, a full disk.
      io.stderr(`statusbox backup: cannot write ${target}: ${describeWriteError(target, error)}\n`);
      return 1;
    }
    if (!result.ok) {
      io.stderr(
        `statusbox backup: the copy failed its integrity check, not kept: ${result.problem}\n`,
      );
      return 1;
    }
    const count = (n: number, noun: string) =>
      `${n.toLocaleString("en-US")} ${noun}${n === 1 ? "" : "s"}`;
    const mb = (statSync(target).size / 1024 / 1024).toFixed(1);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    io.stdout(
      `Backed up ${dbPath} to ${target} in ${seconds}s: ${mb} MiB, ${count(result.runs, "run")}, ` +
        `${count(result.events, "event")}, schema version ${result.schemaVersion}; ` +
        "integrity check ok\n",
    );
    return 0;
  },
};

function checkPaths(dbPath: string, target: string, force: boolean): string | null {
  if (!existsSync(dbPath)) return `no database at ${dbPath}`;
  if (!statSync(dbPath).isFile()) return `${dbPath} is not a database file`;
  const overwritten = fileOfTheDatabase(dbPath, target);
  if (overwritten) return `--out is ${overwritten}; a backup must go to another file`;
  if (existsSync(target) && statSync(target).isDirectory()) {
    const example = join(target, "statusbox.db");
    return `--out ${target} is a folder; name a file in it, such as ${example}`;
  }
  if (existsSync(target) && !force) return `${target} exists; pass --force to replace it`;
  return null;
}

/** The files SQLite and the daemon keep for a database, beside it. */
const COMPANIONS = ["", "-wal", "-shm", "-journal", ".lock"];

/**
 * Whether `target` is the database or one of its companion files, whatever the path says:
 * through symbolic links (compared as SQLite resolves them) or as another name of the same
 * file (a hard link). Replacing any of them under a running daemon loses what it stored.
 * Answers what it is ("the database itself", "its -wal file"), or null.
 */
function fileOfTheDatabase(dbPath: string, target: string): string | null {
  const db = canonicalDbPath(dbPath);
  const out = canonicalDbPath(target);
  const targetStat = existsSync(target) ? statSync(target) : null;
  for (const suffix of COMPANIONS) {
    const companion = `${db}${suffix}`;
    const what = suffix === "" ? "the database itself" : `its ${suffix.replace(/^\./, "")} file`;
    if (out === companion) return what;
    if (targetStat && existsSync(companion)) {
      const other = statSync(companion);
      if (other.dev === targetStat.dev && other.ino === targetStat.ino) return what;
    }
  }
  return null;
}

/** Why the copy could not be written, in words; the system's message when it is not known. */
function describeWriteError(target: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  const folder = nearestExisting(dirname(target));
  if (code === "ENOSPC" || code?.startsWith("SQLITE_FULL")) return "the disk is full";
  if (code === "EROFS") return "the file system is read-only";
  if (code === "EISDIR") return "it is a folder";
  // mkdir answers EEXIST for a file where the folder should be.
  if (code === "ENOTDIR" || code === "EEXIST") return `${folder} is a file, not a folder`;
  if (code === "EACCES" || code === "EPERM") {
    return `the folder ${folder} is not writable for this user`;
  }
  return (error as Error).message;
}

/** `dir` or its nearest ancestor that exists (the root always does). */
function nearestExisting(dir: string): string {
  while (!existsSync(dir) && dir !== dirname(dir)) dir = dirname(dir);
  return dir;
}

export type BackupResult =
  | { ok: true; runs: number; events: number; schemaVersion: number }
  | { ok: false; problem: string };

/**
 * Copies the database at `dbPath` to `target` through a temporary file beside it, which is
 * checked with `PRAGMA integrity_check` and then renamed into place, so that `target` is
 * only ever a complete, checked copy. The source is opened read-only; one that is not a
 * StatusBox database throws DatabaseOpenError.
 */
export function backupDatabase(dbPath: string, target: string): BackupResult {
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  const partial = `${target}.partial-${process.pid}`;
  // VACUUM INTO writes into an empty file; creating it first makes the copy private.
  closeSync(openSync(partial, "w", 0o600));
  try {
    const source = openDatabaseReadOnly(dbPath);
    try {
      source.run("PRAGMA busy_timeout = 5000");
      source.run("VACUUM INTO ?", [partial]);
    } finally {
      source.close();
    }

    const checked = checkCopy(partial);
    if (!checked.ok) return checked;
    syncFile(partial);
    renameSync(partial, target);
    syncFile(dirname(target));
    return checked;
  } finally {
    // A VACUUM INTO that failed half-way (a full disk) leaves SQLite's journal beside it.
    for (const leftover of [partial, `${partial}-journal`]) rmSync(leftover, { force: true });
  }
}

/** Opens a copy read-only, runs `PRAGMA integrity_check` and counts what it holds. */
export function checkCopy(path: string): BackupResult {
  let db: Database | null = null;
  try {
    db = new Database(path, { readonly: true });
    const rows = db.query<{ integrity_check: string }, []>("PRAGMA integrity_check").all();
    const problems = rows.map((row) => row.integrity_check).filter((text) => text !== "ok");
    if (problems.length > 0) return { ok: false, problem: problems.slice(0, 3).join("; ") };
    const count = (table: string) =>
      db!.query<{ n: number }, []>(`SELECT count(*) AS n FROM ${table}`).get()?.n ?? 0;
    const version = db.query<{ user_version: number }, []>("PRAGMA user_version").get();
    return {
      ok: true,
      runs: count("runs"),
      events: count("events"),
      schemaVersion: version?.user_version ?? 0,
    };
  } catch (error) {
    return { ok: false, problem: (error as Error).message };
  } finally {
    db?.close();
  }
}

function syncFile(path: string): void {
  const fd = openSync(path, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
