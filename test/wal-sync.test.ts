import { expect, test } from "bun:test";
import { join } from "node:path";
import { openDatabase } from "../src/storage/database.ts";
import { WalSync } from "../src/storage/wal-sync.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

test("syncs the database's WAL file, and survives a truncating checkpoint", async () => {
  const dir = makeTempDir();
  const db = openDatabase(join(dir.path, "wal.db"), { durability: "normal" });
  try {
    db.run("CREATE TABLE t (x)");
    const sync = new WalSync(db.filename);
    await expect(sync.sync()).resolves.toBeUndefined();
    db.run("PRAGMA wal_checkpoint(TRUNCATE)");
    db.run("INSERT INTO t VALUES (1)");
    await expect(sync.sync()).resolves.toBeUndefined();
    sync.close();
  } finally {
    db.close();
    dir.cleanup();
  }
});

test("a database without a WAL cannot be synced: the failure is reported, not ignored", async () => {
  const sync = new WalSync("/nonexistent/statusbox.db");
  await expect(sync.sync()).rejects.toThrow();
});
