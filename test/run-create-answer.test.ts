import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { openRunDb, type RunDb } from "./helpers/run-db.ts";

let t: RunDb;
beforeEach(() => (t = openRunDb({ now: 1_764_000_000_123 })));
afterEach(() => t.close());

describe("creating a run", () => {
  test("answers the run exactly as it was stored, with its creation event counted", async () => {
    const inputs = [
      { name: "nightly-backup", timeoutSeconds: 3600, version: "1.2.3" },
      { name: "fractional", timeoutSeconds: 0.25 },
      { name: "no-version", timeoutSeconds: 86_400, version: null },
    ];
    for (const input of inputs) {
      const created = await t.runs.create(input);
      expect(created).toEqual(t.runs.get(created.id));
      expect(created.eventCount).toBe(1);
      expect(t.runs.events(created.id, 0, 10)).toHaveLength(1);
    }
  });
});
