import { expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { freeDiskBytes, logRoom } from "../src/storage/disk-space.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

test("the log's room: the size of the -wal file and the free disk beside it, in MiB", () => {
  const dir = makeTempDir();
  try {
    const db = join(dir.path, "statusbox.db");
    expect(logRoom(db).walMiB).toBe(0);

    writeFileSync(`${db}-wal`, Buffer.alloc(3 * 1024 * 1024 + 1000));
    const room = logRoom(db);
    expect(room.walMiB).toBe(3);
    // Other processes may write meanwhile: the same figure within a few MiB.
    const free = Math.round(freeDiskBytes(dir.path) / 2 ** 20);
    expect(Math.abs(room.freeMiB - free)).toBeLessThan(64);
    expect(room.freeMiB).toBeGreaterThan(0);
  } finally {
    dir.cleanup();
  }
});
