import { afterEach, expect, test } from "bun:test";
import { renameSync, rmSync, writeFileSync } from "node:fs";
import { ManualClock } from "../src/domain/clock.ts";
import { openWatchSource, type WatchSource } from "../tui/data/watch-source.ts";
import { WatchController } from "../tui/model/watch-controller.ts";
import { makeTuiDb, T0, type TuiDb } from "./helpers/tui-db.ts";

let fixture: TuiDb;
let source: WatchSource;
afterEach(() => {
  source.close();
  fixture.cleanup();
});

function watching() {
  fixture = makeTuiDb();
  fixture.add({ name: "backup" });
  source = openWatchSource(fixture.path);
  const controller = new WatchController(source, new ManualClock(T0));
  controller.poll();
  expect(controller.screen.error).toBeNull();
  return controller;
}

test("watch says so when its database file is deleted, instead of showing it as live", () => {
  const controller = watching();
  for (const suffix of ["", "-wal", "-shm"]) rmSync(fixture.path + suffix, { force: true });
  controller.poll();
  expect(controller.screen.error).toBe("the database file was deleted: quit and start watch again");
});

test("and when another file takes its name (a restore while watch runs)", () => {
  const controller = watching();
  writeFileSync(`${fixture.path}.new`, "");
  renameSync(`${fixture.path}.new`, fixture.path);
  controller.poll();
  expect(controller.screen.error).toBe(
    "the database file was replaced by another file: quit and start watch again",
  );
});
