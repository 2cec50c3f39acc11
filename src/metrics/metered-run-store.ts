import type { Database } from "bun:sqlite";
import type { RunStatus } from "../domain/run.ts";
import { RunStore, type NewEvent } from "../storage/run-store.ts";
import type { BoundedLabels } from "./bounded-labels.ts";
import type { Counter } from "./registry.ts";
import type { StoredEvents } from "./stored-events.ts";

export interface RunMetrics {
  /** statusbox_runs_created_total{name} */
  created: Counter;
  /** statusbox_runs_finished_total{name, status} */
  finished: Counter;
  /** statusbox_events_written_total */
  events: Counter;
  stored: StoredEvents;
  /** The job names that get a label of their own (the rest count as `(other)`). */
  names: BoundedLabels;
}

/**
 * The run store, counting runs as they are created and finished, and events as they are
 * stored. It counts at the one place every write goes through, whether by a request, a
 * timeout or start-up recovery: a new way of writing runs or events in RunStore needs its
 * override here (test/metrics.test.ts checks the counts after each kind of write).
 *
 * Note: it counts inside the write transaction; a batch whose commit then fails (the disk
 * full) has been counted although its requests were answered 503. That is rare enough for
 * a rate, and the database-backed gauges are exact.
 */
export class MeteredRunStore extends RunStore {
  constructor(
    db: Database,
    private readonly metrics: RunMetrics,
  ) {
    super(db);
  }

  override insertRun(run: Parameters<RunStore["insertRun"]>[0]): number {
    const id = super.insertRun(run);
    this.metrics.created.inc([this.metrics.names.of(run.name)]);
    return id;
  }

  override finishRun(
    id: number,
    status: RunStatus,
    finishedAt: number,
    exitCode: number | null = null,
    message: string | null = null,
  ): boolean {
    const changed = super.finishRun(id, status, finishedAt, exitCode, message);
    if (changed) {
      const name = this.metrics.names.of(this.getRun(id)?.name ?? "");
      this.metrics.finished.inc([name, status]);
    }
    return changed;
  }

  override insertEvents(events: NewEvent[]): void {
    super.insertEvents(events);
    this.countEvents(events.length);
  }

  override appendEvents(runId: number, events: NewEvent[]): boolean {
    const stored = super.appendEvents(runId, events);
    if (stored) this.countEvents(events.length);
    return stored;
  }

  private countEvents(count: number): void {
    this.metrics.events.inc([], count);
    this.metrics.stored.added(count);
  }
}
