import type { Subprocess } from "bun";
import { statusboxCommand } from "./binary.ts";

export interface DaemonProcess {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  url: string;
  /** The first key, when this start created one. */
  firstKey: string | null;
  /** Everything the daemon wrote to stderr so far (its log). */
  log(): string;
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/**
 * Starts `statusbox serve` as a real process on a free port and waits for its ready line.
 * Used where a test needs a real process: kill -9, signals, restarts.
 */
export async function spawnDaemon(
  dbPath: string,
  options: { env?: Record<string, string>; args?: string[] } = {},
): Promise<DaemonProcess> {
  const proc = Bun.spawn(
    [...statusboxCommand(), "serve", "--port", "0", "--db", dbPath, ...(options.args ?? [])],
    { env: { ...process.env, ...options.env }, stdin: "ignore", stdout: "pipe", stderr: "pipe" },
  );
  let stderr = "";
  let stdout = "";
  void pump(proc.stderr, (text) => (stderr += text));
  void pump(proc.stdout, (text) => (stdout += text));

  const deadline = Date.now() + 10_000;
  let url: string | null = null;
  while (!url) {
    url = /statusbox ready address=(\S+)/.exec(stderr)?.[1] ?? null;
    if (url) break;
    if (proc.exitCode !== null || Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`daemon did not start (exit ${proc.exitCode}):\n${stderr}`);
    }
    await Bun.sleep(20);
  }
  // The key is written to stdout before the ready line goes to stderr, so it is already in
  // the pipe; the two pipes may still be read in either order, so give stdout a moment.
  const keyDeadline = Date.now() + 100;
  while (!/^sbx_\S+$/m.test(stdout) && Date.now() < keyDeadline) await Bun.sleep(5);
  const firstKey = /^(sbx_\S+)$/m.exec(stdout)?.[1] ?? null;

  return {
    proc,
    url,
    firstKey,
    log: () => stderr,
    stop: async (signal = "SIGTERM") => {
      proc.kill(signal);
      return proc.exited;
    },
  };
}

async function pump(stream: ReadableStream<Uint8Array>, sink: (text: string) => void) {
  const decoder = new TextDecoder();
  for await (const chunk of stream) sink(decoder.decode(chunk, { stream: true }));
}
