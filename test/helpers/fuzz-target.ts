import { ManualClock } from "../../src/domain/clock.ts";
import { createRun, startTestDaemon, type TestDaemon } from "./daemon.ts";
import { checkAgainst, type CaseResult } from "./fuzz-check.ts";
import { EVERY_TABLE_BUT_KEYS, fingerprintQuery } from "./fuzz-fingerprint.ts";

/** One request of the fuzzer, as fetch sends it. */
export interface FuzzRequest {
  method: string;
  path: string;
  headers: [string, string][];
  body: string | Uint8Array | null;
}

export interface FuzzKeys {
  write: string;
  read: string;
  revoked: string;
}

/** What the arbitraries need to know of the daemon under test. */
export interface FuzzWorld {
  keys: FuzzKeys;
  /** Route templates from the daemon's own OpenAPI document, `{id}` style. */
  routes: { path: string; methods: string[] }[];
  runIds: number[];
}

export interface FuzzTarget extends FuzzWorld {
  url: string;
  /** Sends one request; answers its status (0: no answer) and why it broke a promise. */
  check(request: FuzzRequest): Promise<CaseResult>;
  /** Whether the daemon still answers its health check. */
  healthy(): Promise<boolean>;
  /** False once the daemon exited or stopped answering: later cases prove nothing. */
  alive(): boolean;
  close(): Promise<void>;
}

export interface InProcessFuzzTarget extends FuzzTarget {
  daemon: TestDaemon;
}

/**
 * An in-process daemon to fuzz, with a clock that never moves: no deadline fires and no
 * key's `last used` is refreshed during the run, so any change to the database after a
 * request is that request's own doing, and a seed replays the same run.
 */
export async function startFuzzTarget(): Promise<InProcessFuzzTarget> {
  const daemon = await startTestDaemon({ clock: new ManualClock(Date.now()) });
  const read = daemon.keys.create("fuzz reader", "read").secret;
  const revoked = daemon.keys.create("fuzz revoked", "write");
  daemon.keys.revoke(revoked.key.id);
  const keys = { write: daemon.key, read, revoked: revoked.secret };

  // Runs in each state, and every key used once (so no later request touches its row).
  const runIds = [await createRun(daemon), await createRun(daemon), await createRun(daemon)];
  await daemon.post(`/jobs/${runIds[1]}/complete`, { exitCode: 0 });
  await daemon.post(`/jobs/${runIds[2]}/fail`, { message: "broken" });
  for (const key of Object.values(keys)) await daemon.request("/api/jobs?limit=1", { key });

  const changes = daemon.db.query("SELECT total_changes() AS n");
  const check = checkAgainst(daemon.url, {
    version: () => (changes.get() as { n: number }).n,
    print: fingerprintQuery(daemon.db, EVERY_TABLE_BUT_KEYS),
  });
  return {
    daemon,
    url: daemon.url,
    keys,
    routes: await routesOf(daemon.url, daemon.key),
    runIds,
    check,
    healthy: () => isHealthy(daemon.url),
    alive: () => true,
    close: () => daemon.close(),
  };
}

/** The routes of the daemon at `url`, from its own OpenAPI document. */
export async function routesOf(url: string, key: string): Promise<FuzzWorld["routes"]> {
  const headers = { authorization: `ApiKey ${key}` };
  const openapi = (await (await fetch(`${url}/openapi.json`, { headers })).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  return Object.entries(openapi.paths).map(([path, operations]) => ({
    path,
    methods: Object.keys(operations).map((m) => m.toUpperCase()),
  }));
}

/** Whether the daemon at `url` answers its health check with 200 within 10 seconds. */
export async function isHealthy(url: string): Promise<boolean> {
  try {
    const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
    await response.arrayBuffer();
    return response.status === 200;
  } catch {
    return false;
  }
}

/** A request in one line, short enough to read in a failure report. */
export function describeRequest(request: FuzzRequest): string {
  const body =
    request.body === null
      ? "no body"
      : typeof request.body === "string"
        ? `${request.body.length} chars: ${JSON.stringify(request.body.slice(0, 300))}`
        : `${request.body.length} bytes`;
  const headers = request.headers.map(([n, v]) => `${n}: ${v.slice(0, 80)}`).join("; ");
  return `${request.method} ${request.path.slice(0, 300)} [${headers}] ${body}`;
}
