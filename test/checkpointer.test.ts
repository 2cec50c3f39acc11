import { describe, expect, test } from "bun:test";
import { existsSync, renameSync } from "node:fs";
import { join } from "node:path";
import { startDaemon } from "../src/daemon.ts";
import { silentLogger } from "../src/log/logger.ts";
import { Checkpointer } from "../src/storage/checkpointer.ts";
import { openDatabase } from "../src/storage/database.ts";
import { freeDiskBytes } from "../src/storage/disk-space.ts";
import {
  autocheckpoint,
  checkpointDatabases,
  fileSize,
  holdReader,
  journalSizeLimit,
  writeRuns,
} from "./helpers/checkpoint-db.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

const open = checkpointDatabases();

describe("the background checkpointer", () => {
  test("copies the log into the database from its own thread", async () => {
    const { db, path } = open();
    const before = fileSize(path);
    const checkpointer = new Checkpointer(db);
    writeRuns(db, 50);

    await waitFor(() => fileSize(path) > before, { what: "a checkpoint", timeoutMs: 5000 });
    const count = db.query<{ n: number }, []>("SELECT count(*) AS n FROM runs").get()!;
    expect(count.n).toBe(2000);
    await checkpointer.stop();
  });

  test("leaves the daemon's own connection to checkpoint only past its threshold", async () => {
    const { db, path } = open();
    const checkpointer = new Checkpointer(db, {
      busyIntervalMs: 60_000,
      inlineAfterPages: 100_000,
    });
    const before = fileSize(path);
    // Past SQLite's default of 1,000 pages, which would have checkpointed inside the commit.
    writeRuns(db, 1500);

    expect(autocheckpoint(db)).toBe(100_000);
    expect(fileSize(path)).toBe(before);
    expect(fileSize(`${path}-wal`)).toBeGreaterThan(1000 * 4096);
    await checkpointer.stop();
  });

  test("once writes pause, cuts a log file past its limit back to nothing", async () => {
    const { db, path } = open();
    const checkpointer = new Checkpointer(db, {
      inlineAfterPages: 100_000,
      idleLogBytes: 1024 * 1024,
      idleIntervalMs: 20,
      cutBackAfterIdleMs: 100,
    });
    writeRuns(db, 500);
    expect(fileSize(`${path}-wal`)).toBeGreaterThan(1024 * 1024);

    await waitFor(() => fileSize(`${path}-wal`) === 0, { what: "the log cut back" });
    expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM runs").get()!.n).toBe(20_000);
    // The next write starts the log afresh and is read back like any other.
    writeRuns(db, 1);
    expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM runs").get()!.n).toBe(20_040);
    await checkpointer.stop();
  });

  test("does not cut the log file back in a pause shorter than the one it waits for", async () => {
    const { db, path } = open();
    const checkpointer = new Checkpointer(db, {
      inlineAfterPages: 100_000,
      idleLogBytes: 1024 * 1024,
      idleIntervalMs: 20,
      cutBackAfterIdleMs: 1500,
    });
    writeRuns(db, 500);
    const started = Date.now();
    await Bun.sleep(500);
    expect(fileSize(`${path}-wal`)).toBeGreaterThan(1024 * 1024);

    await waitFor(() => fileSize(`${path}-wal`) === 0, { what: "the log cut back" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
    await checkpointer.stop();
  });

  test("leaves a log file under its limit, and waits for a reader before cutting one back", async () => {
    const { db, path } = open();
    const checkpointer = new Checkpointer(db, {
      inlineAfterPages: 100_000,
      idleLogBytes: 1024 * 1024,
      idleIntervalMs: 20,
      cutBackAfterIdleMs: 100,
    });
    writeRuns(db, 20);
    const small = fileSize(`${path}-wal`);
    expect(small).toBeLessThan(1024 * 1024);
    await waitFor(() => fileSize(path) > 20 * 4096, { what: "a checkpoint" });
    await Bun.sleep(200);
    expect(fileSize(`${path}-wal`)).toBe(small);

    // A reader in the middle of a transaction holds the log: the cut-back must not wait on it
    // (its connection would stall) nor pull the log from under it.
    const { reader, release } = holdReader(path);
    writeRuns(db, 500);
    await Bun.sleep(300);
    expect(fileSize(`${path}-wal`)).toBeGreaterThan(1024 * 1024);
    expect(reader.query<{ n: number }, []>("SELECT count(*) AS n FROM runs").get()!.n).toBe(800);

    release();
    await waitFor(() => fileSize(`${path}-wal`) === 0, { what: "the log cut back" });
    await checkpointer.stop();
  });

  test("a log a reader let grow is not cut back at the rewind, on the event loop, but once writes pause", async () => {
    const { db, path } = open();
    const checkpointer = new Checkpointer(db, {
      inlineAfterPages: 200,
      idleLogBytes: 1024 * 1024,
      idleIntervalMs: 20,
      cutBackAfterIdleMs: 1500,
    });
    const { release } = holdReader(path);
    for (let i = 0; i < 6; i++) writeRuns(db, 100);
    // Far behind with the copy held still: the daemon's connection leaves the copy to the
    // thread, so that the commit after the reader lets go does not copy it all.
    await waitFor(() => autocheckpoint(db) === 0, { what: "inline checkpoints paused" });
    release();
    await waitFor(() => autocheckpoint(db) === 200, { what: "inline checkpoints back" });
    // Far past the threshold, and past the 9.2 MB a rewind used to cut it back to.
    const grown = fileSize(`${path}-wal`);
    expect(grown).toBeGreaterThan(10 * 1024 * 1024);
    // The thread copies what is left, so that the next write rewinds the log.
    await Bun.sleep(100);

    // Writes go on: the log starts again from the top (the file does not grow) and the
    // file keeps its size.
    for (let i = 0; i < 20; i++) {
      writeRuns(db, 1);
      await Bun.sleep(10);
    }
    expect(fileSize(`${path}-wal`)).toBe(grown);

    await waitFor(() => fileSize(`${path}-wal`) === 0, { what: "the log cut back" });
    expect(db.query<{ n: number }, []>("SELECT count(*) AS n FROM runs").get()!.n).toBe(24_800);
    await checkpointer.stop();
  });

  test("stops its thread; closing the database then checkpoints and removes the log", async () => {
    const { db, path } = open();
    const checkpointer = new Checkpointer(db);
    writeRuns(db, 10);
    await checkpointer.stop();
    db.close();

    expect(existsSync(`${path}-wal`)).toBe(false);
    const reopened = openDatabase(path);
    expect(reopened.query<{ n: number }, []>("SELECT count(*) AS n FROM runs").get()!.n).toBe(400);
    reopened.close();
  });

  test("a thread that cannot open the database says so and SQLite's own checkpoints return", async () => {
    const { db, path } = open();
    // The daemon's connection keeps the file it opened; the thread finds nothing at the path.
    renameSync(path, `${path}.moved`);
    const errors: string[] = [];
    const checkpointer = new Checkpointer(db, { onError: (message) => errors.push(message) });

    await waitFor(() => errors.length > 0, { what: "the thread's error" });
    expect(errors[0]).toContain("unable to open database");
    expect(autocheckpoint(db)).toBe(1000);
    // With no thread to cut the log file back once writes pause, each rewind cuts it back.
    expect(journalSizeLimit(db)).toBe(16 * 1024 * 1024);
    await checkpointer.stop();
  });
});

describe("in the daemon", () => {
  test("the checkpoint thread runs: the log reaches the database file while the daemon serves", async () => {
    const temp = makeTempDir();
    const path = join(temp.path, "statusbox.db");
    const daemon = await startDaemon({
      dbPath: path,
      host: "127.0.0.1",
      port: 0,
      logger: silentLogger,
    });
    try {
      // A new database's tables are in the log until a checkpoint copies them back.
      await waitFor(() => fileSize(path) > 4096, { what: "a background checkpoint" });
      // On a disk with less than 1 GiB free the daemon keeps the log small (tested above).
      const roomy = freeDiskBytes(temp.path) >= 1024 ** 3;
      expect(autocheckpoint(daemon.db)).toBe(roomy ? 32_000 : 1000);
      // A rewind leaves the log file as it is: cutting it back there is a truncate on the
      // event loop, and the checkpoint thread does it once writes pause.
      expect(journalSizeLimit(daemon.db)).toBe(roomy ? -1 : 16 * 1024 * 1024);
    } finally {
      await daemon.stop();
      temp.cleanup();
    }
  });
});
