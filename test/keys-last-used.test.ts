import { afterEach, expect, test } from "bun:test";
import { KeyService } from "../src/auth/key-service.ts";
import { KeyStore } from "../src/storage/key-store.ts";
import { openRunDb, type RunDb } from "./helpers/run-db.ts";

let t: RunDb;
afterEach(() => t.close());

/** What `keys list` shows as LAST USED: the stored time, read back from the database. */
const storedLastUsed = (store: KeyStore) => store.list()[0]!.lastUsedAt;

test("last used is written at most once a minute per key, as the README says", () => {
  t = openRunDb();
  const store = new KeyStore(t.db);
  const keys = new KeyService(store, t.clock);
  const { secret } = keys.create("ci", "write");
  const start = t.clock.now();

  /** One request with the key, as the daemon handles it. */
  const request = () => {
    const key = keys.verify(secret)!;
    if (keys.claimTouch(key)) keys.touch(key);
  };

  expect(storedLastUsed(store)).toBeNull();
  request();
  expect(storedLastUsed(store)).toBe(start);

  t.clock.advance(59_999);
  request();
  expect(storedLastUsed(store)).toBe(start);

  t.clock.advance(1);
  request();
  expect(storedLastUsed(store)).toBe(start + 60_000);
});
