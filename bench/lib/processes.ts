/**
 * Starting and watching the servers the benchmark measures: the compiled daemon and the
 * ceiling server, each as its own process on a port chosen up front, so that readiness can
 * be polled on `/healthz` from the moment of the spawn.
 */
import type { Subprocess } from "bun";
import { readFileSync } from "node:fs";

export interface ServerProcess {
  proc: Subprocess<"ignore", "pipe", "pipe">;
  url: string;
  /** Milliseconds from the spawn to the first `200` from `/healthz`. */
  readyMs: number;
  /** Everything the process wrote to stderr so far (the daemon's log). */
  log(): string;
  stop(): Promise<void>;
}

export interface SpawnOptions {
  cwd: string;
  env?: Record<string, string>;
  /** How long to wait for a healthy `/healthz` before giving up. */
  timeoutMs?: number;
}

/** A port that was free a moment ago; the small race with other programs is acceptable here. */
export function freePort(): number {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = listener.port;
  listener.stop(true);
  return port;
}

/**
 * Spawns `command` (which must listen on `port`) and resolves once `/healthz` answers 200.
 * The environment is the caller's minus every STATUSBOX_* variable, plus `env`, so that a
 * setting of the engineer's shell cannot change what is measured.
 */
export async function spawnServer(
  command: string[],
  port: number,
  options: SpawnOptions,
): Promise<ServerProcess> {
  const url = `http://127.0.0.1:${port}`;
  const env = { ...cleanEnv(), ...options.env };
  const started = performance.now();
  const proc = Bun.spawn(command, {
    cwd: options.cwd,
    env,
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });

  let stderr = "";
  void drain(proc.stderr, (text) => (stderr += text));
  void drain(proc.stdout, () => {});

  const deadline = started + (options.timeoutMs ?? 30_000);
  while (!(await isHealthy(url))) {
    if (proc.exitCode !== null || performance.now() > deadline) {
      proc.kill("SIGKILL");
      await proc.exited;
      throw new Error(
        `${command.join(" ")} did not become healthy (exit ${proc.exitCode}):\n${stderr}`,
      );
    }
    await Bun.sleep(2);
  }
  const readyMs = performance.now() - started;

  return {
    proc,
    url,
    readyMs,
    log: () => stderr,
    stop: async () => {
      proc.kill("SIGTERM");
      const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
}

/** Resident memory of a process in bytes, from /proc (Linux only); null elsewhere. */
export function rssBytes(pid: number): number | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1];
    return kb === undefined ? null : Number(kb) * 1024;
  } catch {
    return null;
  }
}

/**
 * CPU time a process has used so far, all its threads, in microseconds, from /proc (Linux
 * only): user plus system time, in clock ticks of 10 ms; null elsewhere.
 */
export function cpuMicros(pid: number): number | null {
  try {
    // The command name (field 2) may hold spaces; the fields after its ")" are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? ticks * 10_000 : null;
  } catch {
    return null;
  }
}

/** Waits until the process's log contains a line matching `pattern`; answers the match. */
export async function waitForLog(
  server: ServerProcess,
  pattern: RegExp,
  timeoutMs = 5000,
): Promise<RegExpExecArray> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const match = pattern.exec(server.log());
    if (match) return match;
    if (performance.now() > deadline)
      throw new Error(`no log line matching ${pattern}:\n${server.log()}`);
    await Bun.sleep(5);
  }
}

async function isHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`);
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith("STATUSBOX_")) env[name] = value;
  }
  return env;
}

async function drain(stream: ReadableStream<Uint8Array>, sink: (text: string) => void) {
  const decoder = new TextDecoder();
  for await (const chunk of stream) sink(decoder.decode(chunk, { stream: true }));
}
