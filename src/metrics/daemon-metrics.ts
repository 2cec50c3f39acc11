import type { Database } from "bun:sqlite";
import { VERSION } from "../version.ts";
import { DELIVERY_OUTCOMES, type AttemptRecord } from "../alerts/outbox-store.ts";
import { fileSize, logFileBytes } from "../storage/disk-space.ts";
import { runningRuns } from "./database-gauges.ts";
import { BoundedLabels } from "./bounded-labels.ts";
import type { RunMetrics } from "./metered-run-store.ts";
import { Registry, type Counter } from "./registry.ts";
import type { HttpMetrics } from "./request-metrics.ts";
import { StoredEvents } from "./stored-events.ts";

/** Job names with series of their own in the run counters; later names count as `(other)`. */
export const MAX_NAME_LABELS = 1000;

/** What the scrape-time families read; the daemon hands them over once they exist. */
export interface MetricSources {
  db: Database;
  /** The daemon's one timer wheel: run deadlines and the ends of schedule windows. */
  wheel: { sizes(): { kind: string; size: number }[] };
  writes: { readonly pending: number };
  retention: {
    readonly totals: { runsDeleted: number; eventsDeleted: number; eventsDropped: number };
  };
}

/**
 * Every metric of the daemon, named after Prometheus conventions: `statusbox_` prefix,
 * `_total` for counters, `_seconds` and `_bytes` for units. Counters count since the daemon
 * started; gauges are read at the scrape.
 */
export class DaemonMetrics {
  readonly registry = new Registry();
  readonly http: HttpMetrics;
  readonly runs: RunMetrics;
  readonly storedEvents: StoredEvents;
  /** statusbox_alert_deliveries_total{channel, outcome} */
  private readonly deliveries: Counter;
  private recountTimer: ReturnType<typeof setInterval> | null = null;

  constructor(dbPath: string, startedAtMs: number) {
    const r = this.registry;
    r.collected("statusbox_build_info", "The running version.", "gauge", ["version"], () => [
      { labels: [VERSION], value: 1 },
    ]);
    r.collected("statusbox_start_time_seconds", "When the daemon started.", "gauge", [], () => [
      { labels: [], value: startedAtMs / 1000 },
    ]);
    const requestLabels = ["method", "route", "status"];
    this.http = {
      requests: r.counter(
        "statusbox_http_requests_total",
        "HTTP requests answered.",
        requestLabels,
      ),
      duration: r.histogram(
        "statusbox_http_request_duration_seconds",
        "Time to answer an HTTP request.",
        requestLabels,
      ),
    };
    this.storedEvents = new StoredEvents(dbPath);
    this.runs = {
      created: r.counter("statusbox_runs_created_total", "Runs created, by job name.", ["name"]),
      finished: r.counter(
        "statusbox_runs_finished_total",
        "Runs that reached a final state, by job name and state.",
        ["name", "status"],
      ),
      events: r.counter("statusbox_events_written_total", "Events stored on runs."),
      stored: this.storedEvents,
      names: new BoundedLabels(MAX_NAME_LABELS),
    };
    // Counted as attempts are recorded, not read from alert_attempts: retention deletes old
    // attempts, and a counter read from there went down.
    this.deliveries = r.counter(
      "statusbox_alert_deliveries_total",
      "Alert delivery attempts recorded, by channel and outcome.",
      ["channel", "outcome"],
    );
  }

  /** Counts one recorded delivery attempt (the dispatcher's `onRecorded`). */
  readonly countDelivery = (attempt: AttemptRecord): void => {
    this.deliveries.inc([attempt.channel, attempt.outcome]);
  };

  /**
   * Starts each configured channel's delivery counts at 0, so that Prometheus sees the first
   * attempt as an increase instead of a series that appears already at 1.
   */
  expectChannels(names: readonly string[]): void {
    for (const name of names) {
      for (const outcome of DELIVERY_OUTCOMES) this.deliveries.inc([name, outcome], 0);
    }
  }

  /**
   * Adds the families read at scrape time, and starts counting stored events: now, then
   * every `recountMs` to catch up with what another process (`statusbox prune`) removed.
   */
  watch(sources: MetricSources, recountMs = 10 * 60 * 1000): void {
    this.recount();
    this.recountTimer = setInterval(() => this.recount(), recountMs);
    const r = this.registry;
    const { db } = sources;
    const one = (value: number) => [{ labels: [], value }];
    r.collected("statusbox_runs_running", "Runs still running.", "gauge", [], () =>
      one(runningRuns(db)),
    );
    r.collected("statusbox_events_stored", "Events in the database.", "gauge", [], () => {
      const value = this.storedEvents.value();
      return value === null ? [] : one(value);
    });
    r.collected(
      "statusbox_timer_wheel_size",
      "Timers pending in the timer wheel, by kind: run deadlines and schedule windows.",
      "gauge",
      ["kind"],
      () => sources.wheel.sizes().map(({ kind, size }) => ({ labels: [kind], value: size })),
    );
    r.collected("statusbox_write_queue_pending", "Writes waiting to commit.", "gauge", [], () =>
      one(sources.writes.pending),
    );
    r.collected("statusbox_database_size_bytes", "Size of the database file.", "gauge", [], () =>
      one(fileSize(db.filename)),
    );
    r.collected("statusbox_wal_size_bytes", "Size of the write-ahead log file.", "gauge", [], () =>
      one(logFileBytes(db.filename)),
    );
    const totals = () => sources.retention.totals;
    r.collected(
      "statusbox_retention_runs_deleted_total",
      "Finished runs removed by retention for their age.",
      "counter",
      [],
      () => one(totals().runsDeleted),
    );
    r.collected(
      "statusbox_retention_events_deleted_total",
      "Events removed by retention: with their old run (age) or over the per-run limit (limit).",
      "counter",
      ["reason"],
      () => [
        { labels: ["age"], value: totals().eventsDeleted },
        { labels: ["limit"], value: totals().eventsDropped },
      ],
    );
  }

  render(): string {
    return this.registry.render();
  }

  /** Stops the recounts and waits for one in progress. */
  async close(): Promise<void> {
    if (this.recountTimer) clearInterval(this.recountTimer);
    this.recountTimer = null;
    await this.storedEvents.idle();
  }

  private recount(): void {
    // A failed count (the file locked by a long write elsewhere) leaves the last one.
    this.storedEvents.recount().catch(() => {});
  }
}
