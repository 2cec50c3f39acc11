/**
 * Runs wrk (Debian's package) and reads its report: throughput, latency percentiles and
 * failed requests. One thread and 32 connections unless told otherwise, as in the targets.
 */
import { join } from "node:path";
import { cpuMicros } from "./processes.ts";

export interface WrkOptions {
  url: string;
  /** A script in bench/wrk, by file name. */
  script: string;
  seconds: number;
  env?: Record<string, string>;
  connections?: number;
  threads?: number;
  /** The server under load: its CPU time per request is measured over the run. */
  serverPid?: number;
}

export interface WrkResult {
  requestsPerSec: number;
  requests: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Answers other than 2xx/3xx plus socket errors: anything above 0 means a broken run. */
  errors: number;
  /** CPU time per request of the server (all its threads) and of wrk itself, in µs. */
  serverCpuUs: number | null;
  wrkCpuUs: number | null;
}

const SCRIPTS = join(import.meta.dir, "..", "wrk");

/** Throws when wrk is missing or fails; a non-2xx answer is counted in `errors`, not thrown. */
export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const args = [
    "wrk",
    `-t${options.threads ?? 1}`,
    `-c${options.connections ?? 32}`,
    `-d${options.seconds}s`,
    "--latency",
    "-s",
    join(SCRIPTS, options.script),
    options.url,
  ];
  const serverBefore = options.serverPid === undefined ? null : cpuMicros(options.serverPid);
  const proc = Bun.spawn(args, {
    env: { ...process.env, ...options.env },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`wrk exited ${code}:\n${out}${err}`);
  const serverAfter = options.serverPid === undefined ? null : cpuMicros(options.serverPid);

  const report = parseWrkReport(out);
  const usage = proc.resourceUsage();
  const wrkCpu = usage ? Number(usage.cpuTime.user + usage.cpuTime.system) : null;
  const perRequest = (us: number | null) =>
    us === null || report.requests === 0 ? null : us / report.requests;
  const serverCpu =
    serverBefore === null || serverAfter === null ? null : serverAfter - serverBefore;
  return { ...report, serverCpuUs: perRequest(serverCpu), wrkCpuUs: perRequest(wrkCpu) };
}

/** Reads wrk's text report (with --latency). Exported for the sake of a quick check by hand. */
export function parseWrkReport(text: string): Omit<WrkResult, "serverCpuUs" | "wrkCpuUs"> {
  const number = (pattern: RegExp): number => {
    const match = pattern.exec(text);
    if (!match?.[1]) throw new Error(`wrk report without ${pattern}:\n${text}`);
    return Number(match[1]);
  };
  const percentile = (p: number) => duration(new RegExp(`^\\s+${p}%\\s+(\\S+)$`, "m"), text);

  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const socketErrors = socket ? socket.slice(1).reduce((sum, n) => sum + Number(n), 0) : 0;
  const non2xx = /Non-2xx or 3xx responses: (\d+)/.exec(text)?.[1];

  return {
    requestsPerSec: number(/^Requests\/sec:\s+([\d.]+)/m),
    requests: number(/^\s+(\d+) requests in/m),
    p50Ms: percentile(50),
    p90Ms: percentile(90),
    p99Ms: percentile(99),
    maxMs: duration(/^\s+Latency\s+\S+\s+\S+\s+(\S+)/m, text),
    errors: socketErrors + Number(non2xx ?? 0),
  };
}

/** wrk prints durations as `812.00us`, `1.23ms`, `1.05s` or `2.00m`. */
function duration(pattern: RegExp, text: string): number {
  const raw = pattern.exec(text)?.[1];
  const match = raw ? /^([\d.]+)(us|ms|s|m)$/.exec(raw) : null;
  if (!match) throw new Error(`wrk report without a duration for ${pattern}:\n${text}`);
  const scale = { us: 0.001, ms: 1, s: 1000, m: 60_000 }[match[2] as "us" | "ms" | "s" | "m"];
  return Number(match[1]) * scale;
}
