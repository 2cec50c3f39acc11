export interface SteadyWriterStart {
  type: "start";
  path: string;
  /** How long one write waits for the lock before it fails with SQLITE_BUSY. */
  busyTimeoutMs: number;
  everyMs: number;
}

export interface SteadyWriterReport {
  writes: number;
  /** The longest one write took, waiting for the lock included. */
  slowestMs: number;
  /** The errors of the writes that failed (SQLITE_BUSY once the wait ran out). */
  failures: string[];
}

/**
 * Another connection, on another thread, writing a row to the database every `everyMs`,
 * as the daemon's requests would: what a test reads afterwards is how long the writes had
 * to wait, and which gave up. It writes to a table of its own, `steady_writes`.
 */
export class SteadyWriter {
  private readonly worker = new Worker(new URL("./steady-writer-worker.ts", import.meta.url));

  private constructor() {}

  static async start(path: string, busyTimeoutMs: number, everyMs = 5): Promise<SteadyWriter> {
    const writer = new SteadyWriter();
    const ready = writer.next("ready");
    const start: SteadyWriterStart = { type: "start", path, busyTimeoutMs, everyMs };
    writer.worker.postMessage(start);
    await ready;
    return writer;
  }

  /** Stops writing and answers what the writes went through. */
  async stop(): Promise<SteadyWriterReport> {
    const answer = this.next("report");
    this.worker.postMessage({ type: "stop" });
    const { report } = (await answer) as { report: SteadyWriterReport };
    this.worker.terminate();
    return report;
  }

  private next(type: string): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const onMessage = (event: MessageEvent<{ type: string }>) => {
        if (event.data.type !== type) return;
        this.worker.removeEventListener("message", onMessage);
        resolve(event.data);
      };
      this.worker.addEventListener("message", onMessage);
      this.worker.addEventListener("error", (event) => reject(new Error(event.message)));
    });
  }
}
