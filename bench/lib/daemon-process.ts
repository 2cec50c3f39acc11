/**
 * The compiled daemon as the benchmark runs it: `statusbox serve` on a temporary database,
 * a known write key, and a port chosen up front so that start-up can be timed from the spawn.
 */
import { join } from "node:path";
import { generateSecret } from "../../src/auth/secrets.ts";
import { freePort, spawnServer, type ServerProcess } from "./processes.ts";

export type Durability = "full" | "normal";

export interface DaemonProcess extends ServerProcess {
  key: string;
}

/**
 * Starts `binary serve` on `dbPath` (created when missing) with the given durability and
 * resolves once `/healthz` answers. The process runs in `workDir`, so that no statusbox.toml
 * of the engineer's folder is read.
 */
export async function startDaemon(
  binary: string,
  dbPath: string,
  options: { workDir: string; durability?: Durability; timeoutMs?: number },
): Promise<DaemonProcess> {
  const key = generateSecret();
  const port = freePort();
  const args = [binary, "serve", "--host", "127.0.0.1", "--port", String(port), "--db", dbPath];
  if (options.durability) args.push("--durability", options.durability);
  const server = await spawnServer(args, port, {
    cwd: options.workDir,
    env: { STATUSBOX_API_KEY: key },
    timeoutMs: options.timeoutMs,
  });
  return { ...server, key };
}

/** Starts the ceiling server (bench/ceiling-server.ts) under the same Bun that runs us. */
export function startCeiling(workDir: string): Promise<ServerProcess> {
  const port = freePort();
  const script = join(import.meta.dir, "..", "ceiling-server.ts");
  return spawnServer([process.execPath, script, "--port", String(port)], port, { cwd: workDir });
}

/**
 * Creates `count` runs through the API, 32 at a time, and answers the first id. The ids of a
 * fresh database are consecutive; anything else is reported, since wrk relies on it.
 */
export async function createRuns(daemon: DaemonProcess, count: number): Promise<number> {
  const ids: number[] = [];
  for (let from = 0; from < count; from += 32) {
    const batch = Array.from({ length: Math.min(32, count - from) }, () => createRun(daemon));
    ids.push(...(await Promise.all(batch)));
  }
  ids.sort((a, b) => a - b);
  const first = ids[0]!;
  if (ids.some((id, i) => id !== first + i))
    throw new Error("the created run ids are not consecutive");
  return first;
}

async function createRun(daemon: DaemonProcess): Promise<number> {
  const response = await fetch(`${daemon.url}/api/jobs/`, {
    method: "POST",
    headers: { Authorization: `ApiKey ${daemon.key}`, "Content-Type": "application/json" },
    body: JSON.stringify({ name: "nightly-backup", timeoutSeconds: 86_400 }),
  });
  const body = (await response.json()) as { id?: number };
  if (response.status !== 200 || typeof body.id !== "number") {
    throw new Error(`creating a run answered ${response.status}: ${JSON.stringify(body)}`);
  }
  return body.id;
}
