import type { Subprocess } from "bun";
import { statusboxCommand } from "./binary.ts";
import type { TestDaemon } from "./daemon.ts";

export interface WrapperProcess {
  proc: Subprocess<"pipe" | "ignore", "pipe", "pipe">;
  /** Everything written so far, as raw bytes and as text. */
  stdoutBytes(): Uint8Array;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code once the process and its output are done. */
  done: Promise<number>;
}

/**
 * Starts `statusbox ARGS...` (usually `run ... -- COMMAND`) as a real process, capturing its
 * output as bytes while it runs, so that a test can wait for a line and then signal it.
 */
export function spawnStatusbox(
  args: string[],
  options: {
    env?: Record<string, string>;
    stdin?: string;
    cwd?: string;
    /** Its stderr into its stdout, one file as under cron or `2>&1`. */
    stderrToStdout?: boolean;
  } = {},
): WrapperProcess {
  const command = [...statusboxCommand(), ...args];
  const argv = options.stderrToStdout ? ["sh", "-c", 'exec "$@" 2>&1', "sh", ...command] : command;
  const proc = Bun.spawn(argv, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    stdin: options.stdin === undefined ? "ignore" : "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  if (options.stdin !== undefined && proc.stdin && typeof proc.stdin !== "number") {
    proc.stdin.write(options.stdin);
    void proc.stdin.end();
  }
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const collect = async (stream: ReadableStream<Uint8Array>, into: Uint8Array[]) => {
    for await (const chunk of stream) into.push(chunk);
  };
  const done = Promise.all([collect(proc.stdout, out), collect(proc.stderr, err)]).then(
    () => proc.exited,
  );
  const text = (chunks: Uint8Array[]) => new TextDecoder().decode(Buffer.concat(chunks));
  return {
    proc: proc as WrapperProcess["proc"],
    stdoutBytes: () => new Uint8Array(Buffer.concat(out)),
    stdout: () => text(out),
    stderr: () => text(err),
    done,
  };
}

/** The environment that points the client commands at a test daemon. */
export const daemonEnv = (daemon: { url: string; key: string }) => ({
  STATUSBOX_URL: daemon.url,
  STATUSBOX_API_KEY: daemon.key,
});

/** The most recent run with this name, read straight from the in-process daemon. */
export function runNamed(daemon: TestDaemon, name: string) {
  return daemon.runs.list({ name, limit: 1 })[0];
}

/** Every log event of a run, oldest first: [stream, message]. */
export function logLines(daemon: TestDaemon, runId: number): [string | null, string][] {
  const lines: [string | null, string][] = [];
  let after = 0;
  for (;;) {
    const page = daemon.runs.events(runId, after, 1000);
    for (const e of page) if (e.kind === "log") lines.push([e.stream, e.message]);
    if (page.length < 1000) return lines;
    after = page.at(-1)!.id;
  }
}
