/**
 * Start-up of the binary on an empty database (spawn to a healthy `/healthz`: creating the
 * file, the schema and a key included), and the daemon's resident memory once it has been
 * idle for a moment.
 */
import { join } from "node:path";
import { startDaemon } from "./daemon-process.ts";
import { rssBytes } from "./processes.ts";
import { median } from "./restart.ts";

export interface StartupFigures {
  readyMs: number[];
  medianReadyMs: number;
  idleAfterMs: number;
  idleRssBytes: number | null;
}

export async function measureStartup(options: {
  binary: string;
  workDir: string;
  attempts: number;
  idleMs: number;
}): Promise<StartupFigures> {
  const readyMs: number[] = [];
  let idleRssBytes: number | null = null;

  for (let attempt = 0; attempt < options.attempts; attempt++) {
    const dbPath = join(options.workDir, `empty-${attempt}`, "statusbox.db");
    const daemon = await startDaemon(options.binary, dbPath, { workDir: options.workDir });
    try {
      readyMs.push(daemon.readyMs);
      // Memory is read once, on the last start, after the daemon sat idle.
      if (attempt === options.attempts - 1) {
        await Bun.sleep(options.idleMs);
        idleRssBytes = rssBytes(daemon.proc.pid);
      }
    } finally {
      await daemon.stop();
    }
  }
  return { readyMs, medianReadyMs: median(readyMs), idleAfterMs: options.idleMs, idleRssBytes };
}
