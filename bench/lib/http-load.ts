/**
 * The write routes under load: the ceiling server and the daemon in both durability modes,
 * one after the other under the same wrk load, route by route, so that each ratio compares
 * figures taken within seconds of each other.
 */
import { join } from "node:path";
import { createRuns, startCeiling, startDaemon, type Durability } from "./daemon-process.ts";
import type { ServerProcess } from "./processes.ts";
import { rssBytes } from "./processes.ts";
import { runWrk, type WrkResult } from "./wrk.ts";

export interface RouteFigures {
  ceiling: WrkResult;
  full: WrkResult;
  normal: WrkResult;
}

export interface HttpFigures {
  seconds: number;
  runsLoggedTo: number;
  logEvent: RouteFigures;
  create: RouteFigures;
  /** Resident memory of each daemon after both routes. */
  rssAfterLoadBytes: Record<Durability, number | null>;
}

interface Target {
  url: string;
  env: Record<string, string>;
  pid: number;
}

/**
 * The runs the event route logs to, round-robin: about three per connection, as if a hundred
 * jobs were running and logging at once. The figure matters: each batch writes one index page
 * per distinct run it touches, so a thousand runs write about twice the WAL of a hundred.
 */
const RUNS_LOGGED_TO = 100;

export async function measureHttp(options: {
  binary: string;
  workDir: string;
  quick: boolean;
  progress: (line: string) => void;
}): Promise<HttpFigures> {
  const { binary, workDir, quick, progress } = options;
  const seconds = quick ? 1 : 10;
  const warmupSeconds = quick ? 1 : 2;

  const servers: ServerProcess[] = [];
  try {
    const ceiling = await startCeiling(workDir);
    servers.push(ceiling);
    const targets: Record<"ceiling" | Durability, Target> = {
      ceiling: { url: ceiling.url, env: runEnv("none", 1), pid: ceiling.proc.pid },
      full: await daemonTarget("full"),
      normal: await daemonTarget("normal"),
    };

    const measureRoute = async (script: string, label: string): Promise<RouteFigures> => {
      const figures: Partial<RouteFigures> = {};
      for (const name of ["ceiling", "full", "normal"] as const) {
        progress(`${label} on ${name}: ${warmupSeconds} s warm-up, ${seconds} s measured`);
        const target = targets[name];
        await runWrk({ url: target.url, script, seconds: warmupSeconds, env: target.env });
        const { url, env, pid } = target;
        figures[name] = await runWrk({ url, script, seconds, env, serverPid: pid });
      }
      return figures as RouteFigures;
    };

    const logEvent = await measureRoute("log-event.lua", "POST /jobs/:id");
    const create = await measureRoute("create-run.lua", "POST /api/jobs/");
    const rssAfterLoadBytes = {
      full: rssBytes(servers[1]!.proc.pid),
      normal: rssBytes(servers[2]!.proc.pid),
    };
    return { seconds, runsLoggedTo: RUNS_LOGGED_TO, logEvent, create, rssAfterLoadBytes };
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }

  async function daemonTarget(durability: Durability): Promise<Target> {
    const dbPath = join(workDir, `load-${durability}.db`);
    const daemon = await startDaemon(binary, dbPath, { workDir, durability });
    servers.push(daemon);
    const first = await createRuns(daemon, RUNS_LOGGED_TO);
    return { url: daemon.url, env: runEnv(daemon.key, first), pid: daemon.proc.pid };
  }
}

/** What the wrk scripts read: the key, and the runs the event route logs to. */
function runEnv(key: string, firstRun: number): Record<string, string> {
  return {
    BENCH_API_KEY: key,
    BENCH_FIRST_RUN: String(firstRun),
    BENCH_RUN_COUNT: String(RUNS_LOGGED_TO),
  };
}
