/**
 * The thread of a SteadyWriter (see steady-writer.ts): its own connection, writing one row
 * every few milliseconds until told to stop, timing each write. Another thread, because a
 * connection that holds the write lock on the test's own thread would block the very writes
 * that are to be timed.
 */
import { Database } from "bun:sqlite";
import type { SteadyWriterReport, SteadyWriterStart } from "./steady-writer.ts";

declare const self: Worker;

let db: Database | null = null;
let timer: ReturnType<typeof setInterval> | null = null;
const report: SteadyWriterReport = { writes: 0, slowestMs: 0, failures: [] };

self.onmessage = (event: MessageEvent<SteadyWriterStart | { type: "stop" }>) => {
  if (event.data.type === "start") start(event.data);
  else stop();
};

function start({ path, busyTimeoutMs, everyMs }: SteadyWriterStart): void {
  db = new Database(path, { readwrite: true, create: false });
  db.run(`PRAGMA busy_timeout = ${busyTimeoutMs}`);
  // Durability is not what is measured here; syncing every write would only load the disk.
  db.run("PRAGMA synchronous = OFF");
  db.run("CREATE TABLE IF NOT EXISTS steady_writes (at INTEGER NOT NULL)");
  const insert = db.prepare("INSERT INTO steady_writes (at) VALUES (?)");
  timer = setInterval(() => {
    const began = performance.now();
    try {
      insert.run(Date.now());
      report.writes++;
    } catch (error) {
      report.failures.push(String(error));
    }
    report.slowestMs = Math.max(report.slowestMs, performance.now() - began);
  }, everyMs);
  postMessage({ type: "ready" });
}

function stop(): void {
  if (timer) clearInterval(timer);
  db?.close();
  postMessage({ type: "report", report });
}
