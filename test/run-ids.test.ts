import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { openRunDb, type RunDb } from "./helpers/run-db.ts";

let t: RunDb;
beforeEach(() => (t = openRunDb()));
afterEach(() => t.close());

const create = async () => (await t.runs.create({ name: "job", timeoutSeconds: 60 })).id;
const remove = (...ids: number[]) => {
  for (const id of ids) t.db.run("DELETE FROM runs WHERE id = ?", [id]);
};

describe("run ids", () => {
  test("a new run never gets the id of a removed one, whatever the order of removal", async () => {
    for (let i = 0; i < 5; i++) await create(); // 1..5
    remove(5, 2); // the newest first, then one in the middle
    expect(await create()).toBe(6);

    remove(1, 3, 4, 6); // everything, oldest first
    expect(await create()).toBe(7);

    remove(7);
    expect(await create()).toBe(8);
  });
});
