import type { Database } from "bun:sqlite";
import type { Server } from "bun";
import type { AlertChannel } from "./alerts/config.ts";
import type { AlertDispatcher } from "./alerts/dispatcher.ts";
import { createAlerts } from "./alerts/setup.ts";
import { bootstrapKeys, showFirstKey } from "./auth/bootstrap-keys.ts";
import { KeyService } from "./auth/key-service.ts";
import { systemClock, type Clock } from "./domain/clock.ts";
import { RunService } from "./domain/run-service.ts";
import { withAbsoluteUrls } from "./http/absolute-url.ts";
import { createApp } from "./http/app.ts";
import { explainListenError } from "./http/listen-error.ts";
import type { Logger } from "./log/logger.ts";
import { DaemonMetrics } from "./metrics/daemon-metrics.ts";
import { MeteredRunStore } from "./metrics/metered-run-store.ts";
import { DEFAULT_POLICY, type RetentionPolicy } from "./retention/policy.ts";
import type { RetentionLoop, RetentionLoopOptions } from "./retention/retention-loop.ts";
import { startRetention } from "./retention/setup.ts";
import { DeadlineScheduler } from "./scheduler/deadline-scheduler.ts";
import { SharedWheel } from "./scheduler/shared-wheel.ts";
import { NameView } from "./schedules/name-view.ts";
import type { DeclaredSchedule } from "./schedules/schedule-service.ts";
import { createSchedules, type Schedules } from "./schedules/setup.ts";
import { Checkpointer } from "./storage/checkpointer.ts";
import { DaemonLock } from "./storage/daemon-lock.ts";
import { DatabaseFileWatch } from "./storage/database-file-watch.ts";
import { openDatabase, type Durability } from "./storage/database.ts";
import { KeyStore } from "./storage/key-store.ts";
import { logRoom, mebibytes } from "./storage/disk-space.ts";
import { WalSync } from "./storage/wal-sync.ts";
import { WriteQueue } from "./storage/write-queue.ts";

export interface DaemonOptions {
  dbPath: string;
  host: string;
  port: number;
  logger: Logger;
  durability?: Durability;
  clock?: Clock;
  /** A secret the operator wants to work as a write key (STATUSBOX_API_KEY). */
  ensureKey?: string;
  /** What history to keep (default 60 days, 10,000 events a run) and how often to prune. */
  retention?: RetentionPolicy & RetentionLoopOptions;
  /** Log one line per HTTP request. */
  logRequests?: boolean;
  /** Serve `/metrics` without a key to clients on a loopback address. */
  metricsOpenOnLoopback?: boolean;
  /** The alert channels of the config file's [[alerts]]. */
  alerts?: readonly AlertChannel[];
  /**
   * Told the secret created on the first start of an empty database, once the daemon listens
   * and before its ready line; a start that fails creates no key. If it throws (no one could
   * read the secret), the key is removed again: see showFirstKey.
   */
  onFirstKey?: (secret: string) => void;
  /**
   * The config file's [[schedules]]; the stored ones from the file are made these. Left out
   * when no config file was read: those from an earlier file are then kept.
   */
  schedules?: readonly DeclaredSchedule[];
}

export interface Daemon {
  url: string;
  db: Database;
  runs: RunService;
  keys: KeyService;
  scheduler: DeadlineScheduler;
  /** Prunes history in the background; tests call `runNow`. */
  retention: RetentionLoop;
  metrics: DaemonMetrics;
  /** Delivers queued alerts in the background; tests may call its `step` directly. */
  alerts: AlertDispatcher;
  /** Expected runs per job name; tests call `checker.tick()` with their clock. */
  schedules: Schedules;
  /** The secret created on the first start of an empty database, if one was. */
  firstKey: string | null;
  stop(): Promise<void>;
}

/** How long shutdown waits for requests in flight before closing their connections. */
const DRAIN_MS = 3000;

/**
 * How long after shutdown begins a write may still wait for another process's lock. With
 * the drain before it, this keeps a stop within the 5 seconds a service manager is promised
 * even while a `sqlite3` shell holds the database.
 */
const WRITE_GIVE_UP_MS = 4000;

/**
 * Seconds of silence after which Bun closes a connection (a stalled body, an idle keep-alive).
 * Bun's default is the same, but left implicit Bun prints a plain-text warning of its own on
 * every timeout, which breaks `--log-format json`; given, it stays quiet and the route sees an
 * aborted request, which the error handler logs as the client going away.
 */
const IDLE_TIMEOUT_SECONDS = 10;

/**
 * Opens the database, recovers open deadlines, and serves the API. The pieces are wired here
 * and nowhere else, so each can be built alone in tests.
 */
export async function startDaemon(options: DaemonOptions): Promise<Daemon> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  // Full durability without blocking the event loop on the disk: SQLite commits without
  // syncing, and the write queue syncs the WAL in the thread pool before it answers.
  const full = (options.durability ?? "full") === "full";
  const db = openDatabase(options.dbPath, { durability: "normal", busyTimeoutMs: 0 });
  let lock: DaemonLock;
  try {
    lock = DaemonLock.acquire(db.filename);
  } catch (error) {
    db.close();
    throw error;
  }
  const walSync = full ? new WalSync(db.filename) : null;
  const writes = new WriteQueue(db, { sync: walSync ? () => walSync.sync() : undefined });
  // Why every write is refused, if it is: the database file is gone, or the log needs the
  // disk's last room to go back into the database.
  const refusals: { file: string | null; room: string | null } = { file: null, room: null };
  const refuseWrites = () => writes.refuse(refusals.file ?? refusals.room);
  const checkpointer = new Checkpointer(db, {
    // With the disk full, the log can only go back into the database once the database file
    // can grow: its size and the room left tell the operator how much to free.
    onError: (message) =>
      logger.error("background checkpoints failing", {
        error: message,
        ...logRoom(db.filename),
      }),
    onRecovered: () => logger.info("background checkpoints working again"),
    onDiskRoom: (low, freeBytes) => {
      const fields = { freeMiB: mebibytes(freeBytes) };
      if (low) logger.warn("disk nearly full: the write-ahead log is kept small", fields);
      else logger.info("disk room back: the write-ahead log may grow again", fields);
    },
    onWriteRoom: (held, freeBytes, logBytes) => {
      const fields = { freeMiB: mebibytes(freeBytes), walMiB: mebibytes(logBytes) };
      if (held)
        logger.error("disk room: writes wait until the write-ahead log is copied back", fields);
      else logger.info("disk room: writes no longer held", fields);
      refusals.room = held
        ? `too little disk room (${fields.freeMiB} MiB free) for the write-ahead log ` +
          `(${fields.walMiB} MiB) to go back into the database: writes wait until a ` +
          "reader lets go of it and it is copied back"
        : null;
      refuseWrites();
    },
  });
  const fileWatch = new DatabaseFileWatch(db.filename, (problem) => {
    if (problem === null) logger.info("database file back in place; writes resume");
    else logger.error("database file gone", { error: problem });
    refusals.file = problem;
    refuseWrites();
  });
  const keys = new KeyService(new KeyStore(db), clock);

  let runs: RunService;
  // Run deadlines and the ends of schedule windows: one wheel, ticked by one interval.
  const wheel = new SharedWheel(clock);
  const scheduler = new DeadlineScheduler({
    clock,
    wheel,
    onExpired: (ids) => void expireAndLog(runs, ids, logger, scheduler, clock),
  });
  const metrics = new DaemonMetrics(db.filename, clock.now());
  const runStore = new MeteredRunStore(db, metrics.runs);
  runs = new RunService(runStore, writes, scheduler, clock);
  const channels = options.alerts ?? [];
  metrics.expectChannels(channels.map((channel) => channel.name));
  const onRecorded = metrics.countDelivery;
  const alerts = createAlerts({ db, writes, channels, clock, logger, onRecorded });
  runs.addListener(alerts.listener);
  // Missed runs go through the same store (metrics) and listeners (alerts) as every run.
  const schedules = createSchedules({
    db,
    runs: runStore,
    writes,
    clock,
    logger,
    listeners: [alerts.listener],
    declared: options.schedules ?? null,
    wheel,
  });

  const recovered = await runs.recover();
  for (const run of recovered.expired) logTimeout(logger, run, "while the daemon was down");
  scheduler.start();
  const atStart = await schedules.recover();
  schedules.checker.start();
  const retention = startRetention(db, writes, clock, logger, metrics, options.retention);
  metrics.watch({ db, wheel, writes, retention });
  alerts.dispatcher.start();
  fileWatch.start();

  const app = createApp({
    runs,
    keys,
    logger,
    touchKey: (key) => void writes.submit(() => keys.touch(key)).catch(() => {}),
    metrics,
    metricsOpenOnLoopback: options.metricsOpenOnLoopback,
    logRequests: options.logRequests,
    schedules: { service: schedules.service, names: new NameView(db), clock },
    healthProblem: () => fileWatch.problem,
  });
  const stopBackground = async () => {
    fileWatch.stop();
    scheduler.stop();
    schedules.checker.stop();
    await retention.stop();
    await metrics.close();
    await alerts.dispatcher.stop();
    await writes.close();
    await checkpointer.stop();
    walSync?.close();
    db.close();
    lock.release();
  };

  let server: Server<undefined>;
  try {
    server = Bun.serve({
      hostname: options.host,
      port: options.port,
      fetch: withAbsoluteUrls(app.fetch, "http://statusbox.invalid"),
      idleTimeout: IDLE_TIMEOUT_SECONDS,
      // Bun answers a bare 413 itself above this, so it is set out of the way: the API refuses
      // by Content-Length before reading, and counts a chunked body as it streams, in JSON.
      maxRequestBodySize: Number.MAX_SAFE_INTEGER,
    });
  } catch (error) {
    // The port is taken (or not ours to use): leave nothing running behind the error.
    await stopBackground();
    throw explainListenError(options.host, options.port, error);
  }

  // Only once the port is ours: a start that cannot listen must leave no first key behind,
  // whose secret only that failed start's output would hold. No request is handled before
  // this synchronous step ends, so none meets a database without the key.
  let firstKey: string | null;
  try {
    firstKey = bootstrapKeys(keys, options.ensureKey, logger);
  } catch (error) {
    await server.stop(true);
    await stopBackground();
    throw error;
  }
  if (firstKey) firstKey = showFirstKey(firstKey, keys, logger, options.onFirstKey);

  const url = `http://${formatHost(server.hostname ?? options.host)}:${server.port}`;
  logger.info("statusbox ready", {
    address: url,
    db: db.filename,
    open_runs: recovered.scheduled,
    timed_out_at_start: recovered.expired.length,
    retention_days: options.retention?.days ?? DEFAULT_POLICY.days,
    max_events_per_run: options.retention?.maxEventsPerRun ?? DEFAULT_POLICY.maxEventsPerRun,
    alert_channels: options.alerts?.length ?? 0,
    schedules: schedules.checker.armed,
    missed_at_start: atStart.missed,
  });

  const stop = async () => {
    writes.giveUpBy(Date.now() + WRITE_GIVE_UP_MS);
    // Deliveries are aborted while the requests drain, not after: a command channel whose
    // program ignores SIGTERM takes 2 s to kill, which after the 3 s drain broke the 5 s.
    // What they leave undelivered stays in the outbox for the next start.
    const alertsStopped = alerts.dispatcher.stop();
    const forced = setTimeout(() => void server.stop(true), DRAIN_MS);
    await server.stop(false);
    clearTimeout(forced);
    await alertsStopped;
    await stopBackground();
    logger.info("statusbox stopped", { db: db.filename });
  };

  return {
    url,
    db,
    runs,
    keys,
    scheduler,
    alerts: alerts.dispatcher,
    schedules,
    retention,
    metrics,
    firstKey,
    stop,
  };
}

async function expireAndLog(
  runs: RunService,
  ids: number[],
  logger: Logger,
  scheduler: DeadlineScheduler,
  clock: Clock,
): Promise<void> {
  try {
    const expired = await runs.expire(ids);
    for (const run of expired) logTimeout(logger, run, "live");
  } catch (error) {
    // The runs are still open in the database: try again in a second. Their finishedAt will
    // still be their deadline, however late the retry succeeds.
    logger.error("could not mark runs timed out; retrying", {
      runs: ids.length,
      error: String(error),
    });
    for (const id of ids) scheduler.schedule(id, clock.now() + 1000);
  }
}

function logTimeout(
  logger: Logger,
  run: { id: number; name: string; timeoutSeconds: number },
  when: string,
) {
  logger.info("run timed out", { id: run.id, name: run.name, timeout_s: run.timeoutSeconds, when });
}

function formatHost(host: string): string {
  return host.includes(":") ? `[${host}]` : host;
}
