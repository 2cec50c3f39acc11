import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { notFound, StatusBoxError } from "../src/domain/errors.ts";
import { openDatabase } from "../src/storage/database.ts";
import { WriteQueue } from "../src/storage/write-queue.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

let dir: ReturnType<typeof makeTempDir>;
let db: Database;
beforeEach(() => {
  dir = makeTempDir();
  db = openDatabase(join(dir.path, "queue.db"), { busyTimeoutMs: 0 });
  db.run("CREATE TABLE t (v TEXT NOT NULL)");
});
afterEach(() => {
  db.close();
  dir.cleanup();
});

const insert = (value: string | null) => () => db.query("INSERT INTO t (v) VALUES (?)").run(value);
const values = () =>
  (db.query("SELECT v FROM t ORDER BY rowid").all() as { v: string }[]).map((r) => r.v);

describe("group commit", () => {
  test("writes submitted together commit in one transaction, in order", async () => {
    const queue = new WriteQueue(db);
    const observer = new Database(join(dir.path, "queue.db"), { readonly: true });
    const committedRows = () =>
      (observer.query("SELECT count(*) AS n FROM t").get() as { n: number }).n;
    const seenByOthers: number[] = [];
    const ops = Array.from({ length: 50 }, (_, i) =>
      queue.submit(() => {
        expect(db.inTransaction).toBe(true);
        seenByOthers.push(committedRows());
        insert(`v${i}`)();
        return i;
      }),
    );
    const results = await Promise.all(ops);
    expect(results).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(values()).toEqual(Array.from({ length: 50 }, (_, i) => `v${i}`));
    // No write of the batch was visible to another connection before the last one ran.
    expect(new Set(seenByOthers)).toEqual(new Set([0]));
    expect(committedRows()).toBe(50);
    observer.close();
  });

  test("a failing write fails alone; the rest of its batch commits", async () => {
    const queue = new WriteQueue(db);
    const results = await Promise.allSettled([
      queue.submit(insert("a")),
      queue.submit(() => {
        insert("half")();
        throw new StatusBoxError("conflict", "refused");
      }),
      queue.submit(insert(null)), // NOT NULL violation
      queue.submit(insert("b")),
    ]);
    expect(results.map((r) => r.status)).toEqual([
      "fulfilled",
      "rejected",
      "rejected",
      "fulfilled",
    ]);
    expect(values()).toEqual(["a", "b"]);
  });

  test("a batch is bounded in size", async () => {
    const queue = new WriteQueue(db, { maxBatch: 10 });
    const batches: number[] = [];
    let current = -1;
    const ops = Array.from({ length: 35 }, () =>
      queue.submit(() => {
        const inBatch = (db.query("SELECT count(*) AS n FROM t").get() as { n: number }).n;
        if (inBatch % 10 === 0 && inBatch !== current) {
          batches.push(inBatch);
          current = inBatch;
        }
        insert("x")();
      }),
    );
    await Promise.all(ops);
    expect(values().length).toBe(35);
    expect(batches).toEqual([0, 10, 20, 30]);
  });

  test("writes wait for another process's lock, then succeed", async () => {
    const queue = new WriteQueue(db, { lockWaitMs: 3000 });
    const other = new Database(join(dir.path, "queue.db"));
    other.run("BEGIN IMMEDIATE");
    const pending = queue.submit(insert("after-lock"));
    await Bun.sleep(200);
    expect(values()).toEqual([]);
    other.run("COMMIT");
    other.close();
    await pending;
    expect(values()).toEqual(["after-lock"]);
  });

  test("a lock held too long fails the writes with a 503, and the queue recovers", async () => {
    const queue = new WriteQueue(db, { lockWaitMs: 200 });
    const other = new Database(join(dir.path, "queue.db"));
    other.run("BEGIN IMMEDIATE");
    const error = await queue.submit(insert("x")).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StatusBoxError);
    expect((error as StatusBoxError).status).toBe(503);
    other.run("COMMIT");
    other.close();
    await queue.submit(insert("y"));
    expect(values()).toEqual(["y"]);
  });

  test("giveUpBy ends a wait for the lock at its deadline, before the full lock wait", async () => {
    const queue = new WriteQueue(db, { lockWaitMs: 10_000 });
    const other = new Database(join(dir.path, "queue.db"));
    other.run("BEGIN IMMEDIATE");
    const started = performance.now();
    const pending = queue.submit(insert("x")).catch((e: unknown) => e);
    queue.giveUpBy(Date.now() + 300);
    const error = await pending;
    const waitedMs = performance.now() - started;
    other.run("COMMIT");
    other.close();
    expect((error as StatusBoxError).status).toBe(503);
    expect(waitedMs).toBeGreaterThanOrEqual(290);
    expect(waitedMs).toBeLessThan(2000);
    expect(values()).toEqual([]);
  });

  test("close waits for submitted writes and refuses new ones", async () => {
    const queue = new WriteQueue(db);
    const pending = queue.submit(insert("last"));
    await queue.close();
    await pending;
    expect(values()).toEqual(["last"]);
    const refused = await queue.submit(insert("late")).catch((e: unknown) => e);
    expect((refused as StatusBoxError).status).toBe(503);
  });

  test("with a sync, a write is answered only after a sync that began after its commit", async () => {
    const syncs: (() => void)[] = [];
    const queue = new WriteQueue(db, {
      sync: () => new Promise<void>((resolve) => syncs.push(resolve)),
    });
    let answered = false;
    const first = queue.submit(insert("a")).then(() => (answered = true));
    await Bun.sleep(20);
    expect(values()).toEqual(["a"]); // committed...
    expect(answered).toBe(false); // ...but not yet answered
    expect(syncs.length).toBe(1);

    const second = queue.submit(insert("b")); // commits while the first sync runs
    await Bun.sleep(20);
    expect(values()).toEqual(["a", "b"]);
    expect(syncs.length).toBe(1); // one sync at a time

    syncs[0]!();
    await first;
    await Bun.sleep(20);
    expect(syncs.length).toBe(2); // the second batch needs a sync of its own
    syncs[1]!();
    await second;
    await queue.close();
  });

  test("a failed sync answers its group 503, though the group was committed", async () => {
    // The README says so: a retried create after this 503 may make a second run.
    const queue = new WriteQueue(db, { sync: () => Promise.reject(new Error("EIO")) });
    const refusedOnItsOwn = () => {
      throw notFound("no job with id 7");
    };
    const failure = (p: Promise<unknown>) =>
      p.then(
        () => null,
        (e: unknown) => e as StatusBoxError,
      );
    const [stored, refused] = await Promise.all([
      failure(queue.submit(insert("x"))),
      failure(queue.submit(refusedOnItsOwn)),
    ]);
    expect([stored?.status, refused?.status]).toEqual([503, 503]);
    expect(stored?.message).toContain("may not be on disk");
    expect(values()).toEqual(["x"]);
  });

  test("close waits for the sync of what was committed", async () => {
    let release: () => void = () => {};
    const queue = new WriteQueue(db, { sync: () => new Promise<void>((r) => (release = r)) });
    const pending = queue.submit(insert("z"));
    let closed = false;
    const closing = queue.close().then(() => (closed = true));
    await Bun.sleep(20);
    expect(closed).toBe(false);
    release();
    await Promise.all([pending, closing]);
    expect(closed).toBe(true);
  });
});
