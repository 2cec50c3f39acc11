import type { Database } from "bun:sqlite";
import { resolve } from "node:path";
import { failingChannels, type FailingChannel } from "../../src/alerts/failing-channels.ts";
import { ChangeDetector } from "./change-detector.ts";
import { EventRate } from "./event-rate.ts";
import { EventReader } from "./event-reader.ts";
import { NameList } from "./name-list.ts";
import { RunPager } from "./run-pager.ts";
import { StatusCounter } from "./status-counts.ts";
import { openWatchDatabase } from "./watch-db.ts";

/** Everything the UI reads, over one read-only connection. */
export interface WatchSource {
  path: string;
  changes: ChangeDetector;
  runs: RunPager;
  events: EventReader;
  counts: StatusCounter;
  rate: EventRate;
  names: NameList;
  /** Alert channels whose latest delivery failed (none before alerts existed). */
  failingChannels(): FailingChannel[];
  close(): void;
}

/** Wraps an open connection; the caller keeps ownership of `db` unless it calls close(). */
export function watchSourceOf(db: Database, path: string): WatchSource {
  return {
    path,
    changes: new ChangeDetector(db),
    runs: new RunPager(db),
    events: new EventReader(db),
    counts: new StatusCounter(db),
    rate: new EventRate(db),
    names: new NameList(db),
    failingChannels: () => failingChannels(db),
    close: () => db.close(),
  };
}

/** Opens the database at `path` read-only (see openWatchDatabase for the errors). */
export function openWatchSource(path: string): WatchSource {
  return watchSourceOf(openWatchDatabase(path), resolve(path));
}
