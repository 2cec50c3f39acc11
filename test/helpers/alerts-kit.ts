import type { Database } from "bun:sqlite";
import { join } from "node:path";
import { parseAlertChannels, type AlertChannel } from "../../src/alerts/config.ts";
import { AlertDispatcher, type DispatcherOptions } from "../../src/alerts/dispatcher.ts";
import { AlertEnqueuer } from "../../src/alerts/enqueuer.ts";
import { OutboxStore } from "../../src/alerts/outbox-store.ts";
import type { AlertPayload } from "../../src/alerts/payload.ts";
import { ManualClock } from "../../src/domain/clock.ts";
import type { RunListener } from "../../src/domain/ports.ts";
import type { EndSignal } from "../../src/domain/run.ts";
import { RunService } from "../../src/domain/run-service.ts";
import { createLogger } from "../../src/log/logger.ts";
import { openDatabase } from "../../src/storage/database.ts";
import { RunStore } from "../../src/storage/run-store.ts";
import { WriteQueue } from "../../src/storage/write-queue.ts";
import { makeTempDir } from "./temp-dir.ts";

export interface OutboxEntry {
  id: number;
  channel: string;
  run_id: number;
  trigger: string;
  state: string;
  attempts: number;
  created_at: number;
  next_attempt_at: number;
  idempotency_key: string;
  payload: AlertPayload;
}

export interface AttemptEntry {
  outbox_id: number;
  channel: string;
  at: number;
  outcome: string;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
}

/** Channels as they would be written in the config file, validated by the real parser. */
export function channelsOf(tables: Record<string, unknown>[]): AlertChannel[] {
  const parsed = parseAlertChannels(tables);
  if ("error" in parsed) throw new Error(parsed.error);
  return parsed.channels;
}

/**
 * The alerts pieces on a temporary database, wired as the daemon wires them but driven by
 * hand: a RunService with a ManualClock (deadlines not scheduled), the enqueuer listening
 * on it, and a dispatcher whose `step` the test calls. The log is captured in `logLines`.
 */
export function alertKit(
  tables: Record<string, unknown>[],
  options: { dbPath?: string; dispatcher?: Partial<DispatcherOptions> } = {},
) {
  const temp = options.dbPath ? null : makeTempDir();
  const dbPath = options.dbPath ?? join(temp!.path, "alerts.db");
  const db: Database = openDatabase(dbPath);
  const writes = new WriteQueue(db);
  const clock = new ManualClock();
  const channels = channelsOf(tables);
  const store = new OutboxStore(db);
  const logLines: string[] = [];
  const logger = createLogger({ write: (line) => logLines.push(line), level: "debug" });

  const runs = new RunService(new RunStore(db), writes, { schedule() {}, cancel() {} }, clock);
  const dispatcher = new AlertDispatcher({
    store,
    writes,
    channels,
    clock,
    logger,
    random: () => 0,
    ...options.dispatcher,
  });
  const onEnqueued = () => dispatcher.wake();
  const enqueuer = new AlertEnqueuer({ store, channels, clock, onEnqueued });
  runs.addListener(enqueuer);

  /** Creates a run of `name`, lets `ms` pass, and ends it with `signal`; answers its id. */
  const finish = async (name: string, signal: EndSignal, ms = 1000, details = {}) => {
    const run = await runs.create({ name, timeoutSeconds: 3600 });
    clock.advance(ms);
    await runs.end(run.id, signal, details);
    return run.id;
  };

  const outbox = (): OutboxEntry[] =>
    (db.query("SELECT * FROM alert_outbox ORDER BY id").all() as Record<string, unknown>[]).map(
      (row) => ({ ...row, payload: JSON.parse(row.payload as string) }) as OutboxEntry,
    );
  const attempts = (): AttemptEntry[] =>
    db.query("SELECT * FROM alert_attempts ORDER BY id").all() as AttemptEntry[];

  return {
    db,
    dbPath,
    clock,
    runs,
    store,
    writes,
    dispatcher,
    channels,
    logLines,
    finish,
    outbox,
    attempts,
    addListener: (listener: RunListener) => runs.addListener(listener),
    close: async () => {
      await dispatcher.stop();
      await writes.close();
      db.close();
      temp?.cleanup();
    },
  };
}

export type AlertKit = ReturnType<typeof alertKit>;
