import { statusboxCommand } from "./binary.ts";
import { waitFor } from "./wait-for.ts";

export interface CapturedDaemon {
  url: string;
  pid: number;
  /** What the daemon printed so far: stdout (the first key, once) and stderr (its log). */
  stdout(): string;
  stderr(): string;
  /** Sends the signal and answers the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number>;
}

/**
 * `statusbox serve` as a real process on a free port, keeping both of its outputs for the
 * test to search (spawnDaemon keeps only the log). Resolves once it logged that it is ready.
 * `prefix` runs it through another command (`sh -c 'umask 000; exec "$@"' sh`).
 */
export async function spawnCapturedDaemon(
  dbPath: string,
  options: { args?: string[]; env?: Record<string, string>; prefix?: string[] } = {},
): Promise<CapturedDaemon> {
  const command = [...statusboxCommand(), "serve", "--port", "0", "--db", dbPath];
  const proc = Bun.spawn([...(options.prefix ?? []), ...command, ...(options.args ?? [])], {
    env: { ...process.env, ...options.env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  const out = { stdout: "", stderr: "" };
  void collect(proc.stdout, (text) => (out.stdout += text));
  void collect(proc.stderr, (text) => (out.stderr += text));

  const ready = /statusbox ready.*?(?:address=|"address":")(http:\/\/[^\s"]+)/;
  const started = await waitFor(() => ready.exec(out.stderr)?.[1] ?? proc.exitCode !== null, {
    timeoutMs: 10_000,
    what: "the daemon to start",
  });
  if (typeof started !== "string") {
    throw new Error(`the daemon exited ${proc.exitCode}:\n${out.stderr}`);
  }

  return {
    url: started,
    pid: proc.pid,
    stdout: () => out.stdout,
    stderr: () => out.stderr,
    stop: async (signal = "SIGTERM") => {
      proc.kill(signal);
      const code = await proc.exited;
      await Bun.sleep(20); // let the last output drain into the buffers
      return code;
    },
  };
}

async function collect(stream: ReadableStream<Uint8Array>, sink: (text: string) => void) {
  const decoder = new TextDecoder();
  for await (const chunk of stream) sink(decoder.decode(chunk, { stream: true }));
}
