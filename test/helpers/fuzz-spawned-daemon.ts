import { spawnKeyedDaemon, type KeyedDaemon } from "./keyed-daemon.ts";

// The daemon process under the fuzzer: started on a high port, watched, and always stopped.

/** A port from 55000 to 59999, drawn again while the one drawn is taken. */
export async function spawnOnHighPort(dbPath: string, args: string[]): Promise<KeyedDaemon> {
  for (let attempt = 1; ; attempt++) {
    const port = String(55_000 + Math.floor(Math.random() * 5000));
    try {
      return await spawnKeyedDaemon(dbPath, { args: ["--port", port, ...args] });
    } catch (error) {
      if (attempt >= 5 || !String(error).includes("in use")) throw error;
    }
  }
}

/** How the daemon process ended ("code 3", "SIGKILL"), or null while it runs. */
export function exit({ proc }: KeyedDaemon): string | null {
  if (proc.signalCode !== null) return String(proc.signalCode);
  return proc.exitCode === null ? null : `code ${proc.exitCode}`;
}

/**
 * Reads the daemon's log as it grows, a whole line at a time: answers the first new line at
 * error level (an unexpected error, a write it could not make), or null.
 */
export function logWatch(daemon: KeyedDaemon): { newErrorLine(): string | null } {
  let read = 0;
  return {
    newErrorLine() {
      const log = daemon.log();
      const end = log.lastIndexOf("\n") + 1;
      if (end <= read) return null;
      const lines = log.slice(read, end).split("\n");
      read = end;
      return lines.find((line) => /^\S+ ERROR /.test(line)) ?? null;
    },
  };
}

/** SIGTERM, and SIGKILL if the daemon has not exited after `ms`. */
export async function stopWithin(daemon: KeyedDaemon, ms: number): Promise<void> {
  if (exit(daemon) !== null) return;
  const kill = setTimeout(() => daemon.proc.kill("SIGKILL"), ms);
  await daemon.stop("SIGTERM");
  clearTimeout(kill);
}
