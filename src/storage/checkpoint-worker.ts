/**
 * The checkpoint thread (see checkpointer.ts). It has its own connection to the database and
 * copies what the write-ahead log holds back into the database with PASSIVE checkpoints,
 * which never wait for, nor block, the daemon's writes and reads.
 *
 * Its pace follows the log: while the log grows it checkpoints every `busyIntervalMs`, so
 * each checkpoint has little to copy and often finds the log wholly copied, which lets the
 * daemon's next write rewind it; when nothing has changed it backs off, doubling the pause
 * up to `idleIntervalMs`. A checkpoint with nothing new to copy costs a few microseconds and
 * no disk access.
 *
 * Once writes have paused for `cutBackAfterIdleMs`, a log file larger than `idleLogBytes` (a
 * burst left it so) is cut back to nothing with a TRUNCATE checkpoint. It takes the write
 * lock, and a write that comes meanwhile waits for it (40 ms for a 150 MB log, measured), so
 * it is tried only after a real pause, on a log wholly copied, and gives up at once when
 * anyone holds a lock: a load that pauses for less never pays it.
 */
import { Database, type Statement } from "bun:sqlite";
import { statSync } from "node:fs";
import { CheckpointBacklog, type LogProgress } from "./checkpoint-backlog.ts";

export interface CheckpointWorkerStart {
  type: "start";
  path: string;
  busyIntervalMs: number;
  idleIntervalMs: number;
  idleLogBytes: number;
  cutBackAfterIdleMs: number;
  /** See CheckpointBacklog. */
  backlogPages: number;
  caughtUpPages: number;
}

/** New thresholds of a backlog (the disk became nearly full, or has room again). */
export interface CheckpointWorkerThresholds {
  type: "thresholds";
  backlogPages: number;
  caughtUpPages: number;
}

export type CheckpointWorkerMessage =
  CheckpointWorkerStart | CheckpointWorkerThresholds | { type: "stop" };

/**
 * What the thread tells the daemon: that it could not open the database (it then does
 * nothing), that checkpoints began failing (once a streak: a full disk fails every one) or
 * work again, that the log holds a backlog it has not copied or no longer does, or that its
 * connection is closed.
 */
export type CheckpointWorkerReport =
  | { type: "unavailable"; message: string }
  | { type: "backlog"; large: boolean }
  | { type: "failing"; message: string }
  | { type: "recovered" }
  | { type: "stopped" };

/** SQLite's answer: pages in the log, and how many of them are copied into the database. */
interface CheckpointResult extends LogProgress {
  busy: number;
}

declare const self: Worker;

let db: Database | null = null;
let checkpoint: Statement<CheckpointResult> | null = null;
let truncate: Statement<CheckpointResult> | null = null;
let timer: ReturnType<typeof setTimeout> | null = null;
let backlog: CheckpointBacklog | null = null;

self.onmessage = (event: MessageEvent<CheckpointWorkerMessage>) => {
  const message = event.data;
  if (message.type === "start") start(message);
  else if (message.type === "thresholds")
    backlog?.retune(message.backlogPages, message.caughtUpPages);
  else stop();
};

function start(settings: CheckpointWorkerStart): void {
  const { path, busyIntervalMs, idleIntervalMs } = settings;
  try {
    db = new Database(path, { readwrite: true, create: false });
    // This connection writes nothing, so no commit of its own ever checkpoints.
    db.run("PRAGMA wal_autocheckpoint = 0");
    // The cut-back never waits for a lock another connection holds: busy means a later step.
    db.run("PRAGMA busy_timeout = 0");
  } catch (error) {
    report({ type: "unavailable", message: String(error) });
    return;
  }
  const statement = db.prepare<CheckpointResult, []>("PRAGMA wal_checkpoint(PASSIVE)");
  checkpoint = statement;
  truncate = db.prepare<CheckpointResult, []>("PRAGMA wal_checkpoint(TRUNCATE)");
  const cutBack = idleLogCutBack(truncate, `${path}-wal`, settings.idleLogBytes);

  let failing = false;
  const watch = new CheckpointBacklog(settings.backlogPages, settings.caughtUpPages);
  backlog = watch;
  let last = "";
  let changedAt = Date.now();
  let pause = busyIntervalMs;
  const step = () => {
    try {
      const result = statement.get()!;
      if (failing) report({ type: "recovered" });
      failing = false;
      // A checkpoint that found another one running answers -1s: it says nothing of the log.
      const large = result.log < 0 ? null : watch.observe(result);
      if (large !== null) report({ type: "backlog", large });
      const seen = `${result.log}/${result.checkpointed}`;
      const idle = seen === last;
      pause = idle ? Math.min(pause * 2, idleIntervalMs) : busyIntervalMs;
      last = seen;
      if (!idle) changedAt = Date.now();
      const paused = Date.now() - changedAt >= settings.cutBackAfterIdleMs;
      if (idle && paused && result.checkpointed === result.log) cutBack();
    } catch (error) {
      if (!failing) report({ type: "failing", message: String(error) });
      failing = true;
      pause = idleIntervalMs;
    }
    timer = setTimeout(step, pause);
  };
  timer = setTimeout(step, busyIntervalMs);
}

/**
 * Cuts the log file back to nothing when it is larger than `limit` bytes. A TRUNCATE
 * checkpoint that finds a reader or a writer answers busy at once (a row, not an error) and
 * is tried again on a later idle step.
 */
function idleLogCutBack(
  truncate: Statement<CheckpointResult>,
  logPath: string,
  limit: number,
): () => void {
  return () => {
    try {
      if (statSync(logPath).size > limit) truncate.get();
    } catch {
      // No log file yet (nothing written), or an error the next PASSIVE checkpoint reports.
    }
  };
}

function stop(): void {
  if (timer) clearTimeout(timer);
  // A statement left unfinalized would keep the connection open past close(); the daemon's
  // close must find itself the last connection, to checkpoint the rest and remove the log.
  checkpoint?.finalize();
  truncate?.finalize();
  db?.close();
  db = null;
  report({ type: "stopped" });
}

function report(message: CheckpointWorkerReport): void {
  postMessage(message);
}
