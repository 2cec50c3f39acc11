/**
 * The checkpoint thread (see checkpointer.ts). It has its own connection to the database and,
 * every `intervalMs`, copies what the write-ahead log holds back into the database with a
 * PASSIVE checkpoint: one that never waits for, nor blocks, the daemon's writes and reads.
 * A checkpoint with nothing new to copy costs a few microseconds and no disk access.
 */
import { Database, type Statement } from "bun:sqlite";

export interface CheckpointWorkerStart {
  type: "start";
  path: string;
  intervalMs: number;
}

export type CheckpointWorkerMessage = CheckpointWorkerStart | { type: "stop" };

/**
 * What the thread tells the daemon: that it could not open the database (it then does
 * nothing), that checkpoints began failing (once a streak: a full disk fails every one) or
 * work again, or that its connection is closed.
 */
export type CheckpointWorkerReport =
  | { type: "unavailable"; message: string }
  | { type: "failing"; message: string }
  | { type: "recovered" }
  | { type: "stopped" };

declare const self: Worker;

let db: Database | null = null;
let checkpoint: Statement | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

self.onmessage = (event: MessageEvent<CheckpointWorkerMessage>) => {
  const message = event.data;
  if (message.type === "start") start(message);
  else stop();
};

function start({ path, intervalMs }: CheckpointWorkerStart): void {
  try {
    db = new Database(path, { readwrite: true, create: false });
    // This connection writes nothing, so no commit of its own ever checkpoints.
    db.run("PRAGMA wal_autocheckpoint = 0");
  } catch (error) {
    report({ type: "unavailable", message: String(error) });
    return;
  }
  const statement = db.prepare("PRAGMA wal_checkpoint(PASSIVE)");
  checkpoint = statement;
  let failing = false;
  timer = setInterval(() => {
    try {
      statement.run();
      if (failing) report({ type: "recovered" });
      failing = false;
    } catch (error) {
      if (!failing) report({ type: "failing", message: String(error) });
      failing = true;
    }
  }, intervalMs);
}

function stop(): void {
  if (timer) clearInterval(timer);
  // A statement left unfinalized would keep the connection open past close(); the daemon's
  // close must find itself the last connection, to checkpoint the rest and remove the log.
  checkpoint?.finalize();
  db?.close();
  db = null;
  report({ type: "stopped" });
}

function report(message: CheckpointWorkerReport): void {
  postMessage(message);
}
