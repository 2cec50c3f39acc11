import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openWatchDatabase, WatchDbError } from "../tui/data/watch-db.ts";
import { openWatchSource } from "../tui/data/watch-source.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { makeTuiDb, type TuiDb } from "./helpers/tui-db.ts";

let fixture: TuiDb;
beforeEach(() => {
  fixture = makeTuiDb();
});
afterEach(() => fixture.cleanup());

function refusal(path: string): string {
  try {
    openWatchDatabase(path).close();
  } catch (error) {
    expect(error).toBeInstanceOf(WatchDbError);
    return (error as Error).message;
  }
  throw new Error("opened");
}

describe("opening the database to watch", () => {
  test("refuses a missing file with one sentence naming it, and creates nothing", () => {
    const path = join(fixture.path, "..", "missing", "statusbox.db");
    expect(refusal(path)).toMatch(/^no database at \/.*missing\/statusbox\.db; start the daemon/);
    expect(existsSync(join(fixture.path, "..", "missing"))).toBe(false);
  });

  test("refuses a folder, a file that is not SQLite, and a SQLite file that is not ours", () => {
    const dir = makeTempDir();
    try {
      mkdirSync(join(dir.path, "folder.db"));
      expect(refusal(join(dir.path, "folder.db"))).toContain("is a folder");

      // A FIFO: opening it would wait for a writer for ever.
      const fifo = join(dir.path, "fifo.db");
      expect(Bun.spawnSync(["mkfifo", fifo]).exitCode).toBe(0);
      expect(refusal(fifo)).toMatch(/fifo\.db is not a database file$/);
      expect(refusal("/dev/null")).toBe("/dev/null is not a database file");

      writeFileSync(join(dir.path, "text.db"), "not a database at all, just some text ".repeat(50));
      expect(refusal(join(dir.path, "text.db"))).toContain("is not a SQLite database");

      const other = new Database(join(dir.path, "other.db"), { create: true });
      other.run("CREATE TABLE notes (body TEXT)");
      other.close();
      expect(refusal(join(dir.path, "other.db"))).toContain("is not a StatusBox database");
    } finally {
      dir.cleanup();
    }
  });

  test("reads but can never write", () => {
    fixture.add();
    const db = openWatchDatabase(fixture.path);
    try {
      expect(db.query("SELECT count(*) AS n FROM runs").get()).toEqual({ n: 1 });
      expect(() => db.run("DELETE FROM runs")).toThrow(/readonly/);
    } finally {
      db.close();
    }
  });

  test("opens a stopped daemon's database without -wal and -shm, and leaves it as it was", () => {
    fixture.add({ name: "before-stop" });
    fixture.db.close();
    expect(existsSync(`${fixture.path}-wal`)).toBe(false);
    const before = readFileSync(fixture.path);

    const source = openWatchSource(fixture.path);
    expect(source.runs.get(1)?.name).toBe("before-stop");
    source.counts.count("all", Date.now());
    source.close();

    expect(readFileSync(fixture.path).equals(before)).toBe(true);
    fixture.db = new Database(fixture.path);
  });

  test("opens while the writer holds -wal and -shm, and sees its later commits", () => {
    fixture.add();
    expect(existsSync(`${fixture.path}-wal`)).toBe(true);
    const source = openWatchSource(fixture.path);
    try {
      source.changes.changed();
      fixture.add({ name: "later" });
      expect(source.changes.changed()).toBe(true);
      expect(source.runs.get(2)?.name).toBe("later");
    } finally {
      source.close();
    }
  });
});
