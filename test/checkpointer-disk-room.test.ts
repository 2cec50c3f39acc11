import { describe, expect, test } from "bun:test";
import { Checkpointer } from "../src/storage/checkpointer.ts";
import {
  autocheckpoint,
  checkpointDatabases,
  fileSize,
  holdReader,
  journalSizeLimit,
  writeRuns,
} from "./helpers/checkpoint-db.ts";
import { waitFor } from "./helpers/wait-for.ts";

const open = checkpointDatabases();

describe("the background checkpointer and the room left on the disk", () => {
  test("keeps the log small while the disk is nearly full, and lets it grow once there is ample room", async () => {
    const { db, path } = open();
    let free = 10 * 1024 ** 3;
    const told: Array<[boolean, number]> = [];
    const checkpointer = new Checkpointer(db, {
      busyIntervalMs: 60_000,
      inlineAfterPages: 100_000,
      lowDiskBytes: 1024 ** 3,
      freeDiskBytes: () => free,
      diskCheckIntervalMs: 10,
      onDiskRoom: (low, bytes) => told.push([low, bytes]),
    });
    expect(autocheckpoint(db)).toBe(100_000);
    expect(journalSizeLimit(db)).toBe(-1);

    free = 100 * 1024 ** 2;
    await waitFor(() => autocheckpoint(db) === 1000, { what: "the small log's settings" });
    expect(journalSizeLimit(db)).toBe(16 * 1024 * 1024);
    expect(told).toEqual([[true, 100 * 1024 ** 2]]);
    // The commit that passes 1,000 pages checkpoints; with room it would not have.
    const before = fileSize(path);
    writeRuns(db, 100);
    expect(fileSize(path)).toBe(before);
    writeRuns(db, 200);
    expect(fileSize(path)).toBeGreaterThan(before + 1000 * 4096);

    // Back over the line, but not by the room the large log would take at once: still small.
    free = 1.2 * 1024 ** 3;
    await Bun.sleep(100);
    expect(autocheckpoint(db)).toBe(1000);
    expect(told).toHaveLength(1);

    free = 2 * 1024 ** 3;
    await waitFor(() => autocheckpoint(db) === 100_000, { what: "the large log's settings" });
    expect(journalSizeLimit(db)).toBe(-1);
    expect(told).toEqual([
      [true, 100 * 1024 ** 2],
      [false, 2 * 1024 ** 3],
    ]);
    await checkpointer.stop();
  });

  test("on a nearly full disk, holds writes while a reader holds back a log larger than the room left", async () => {
    const { db, path } = open();
    let free = 100 * 1024 ** 2;
    const told: boolean[] = [];
    const checkpointer = new Checkpointer(db, {
      inlineAfterPages: 400,
      lowDiskBytes: 1024 ** 3,
      freeDiskBytes: () => free,
      diskCheckIntervalMs: 10,
      onWriteRoom: (held, _free, logBytes) => {
        told.push(held);
        expect(logBytes).toBe(fileSize(`${path}-wal`));
      },
    });
    const { release } = holdReader(path);
    writeRuns(db, 200);
    const log = fileSize(`${path}-wal`);
    expect(log).toBeGreaterThan(1024 * 1024);
    await waitFor(() => autocheckpoint(db) === 0, { what: "the backlog reported" });

    // Room for the log, and 8 MiB for what is written before the next check.
    free = log + 8 * 1024 ** 2 + 4096;
    await Bun.sleep(100);
    expect(told).toEqual([]);
    free = log + 8 * 1024 ** 2 - 4096;
    await waitFor(() => told.length === 1, { what: "writes held" });
    expect(told).toEqual([true]);

    // The reader lets go: the thread copies the backlog, and writes go on in the same room.
    release();
    await waitFor(() => told.length === 2, { what: "writes going on" });
    expect(told).toEqual([true, false]);
    await checkpointer.stop();
  });

  test("holds writes when a reader's log outgrows the room left, before the disk counts as nearly full", async () => {
    const { db, path } = open();
    let free = 100 * 1024 ** 2;
    const told: boolean[] = [];
    const checkpointer = new Checkpointer(db, {
      inlineAfterPages: 400,
      lowDiskBytes: 1024,
      freeDiskBytes: () => free,
      diskCheckIntervalMs: 10,
      onDiskRoom: () => told.push(false),
      onWriteRoom: (held) => told.push(held),
    });
    const { release } = holdReader(path);
    writeRuns(db, 200);
    await waitFor(() => autocheckpoint(db) === 0, { what: "the backlog reported" });
    free = fileSize(`${path}-wal`) + 8 * 1024 ** 2 - 4096;
    await waitFor(() => told.length === 1, { what: "writes held" });
    expect(told).toEqual([true]);
    release();
    await waitFor(() => told.length === 2, { what: "writes going on" });
    expect(told).toEqual([true, false]);
    await checkpointer.stop();
  });

  test("never holds writes for a log the thread keeps up with, nor with ample room", async () => {
    const { db, path } = open();
    let free = 1024;
    const told: boolean[] = [];
    const checkpointer = new Checkpointer(db, {
      inlineAfterPages: 400,
      lowDiskBytes: 1024 ** 3,
      freeDiskBytes: () => free,
      diskCheckIntervalMs: 10,
      onWriteRoom: (held) => told.push(held),
    });
    // With no reader the thread copies as the log grows: the disk fills with data instead.
    writeRuns(db, 200);
    expect(fileSize(`${path}-wal`)).toBeGreaterThan(1024 * 1024);
    await Bun.sleep(150);
    expect(told).toEqual([]);

    free = 2 * 1024 ** 3;
    const { release } = holdReader(path);
    writeRuns(db, 200);
    await waitFor(() => autocheckpoint(db) === 0, { what: "the backlog reported" });
    await Bun.sleep(100);
    expect(told).toEqual([]);
    release();
    await checkpointer.stop();
  });
});
