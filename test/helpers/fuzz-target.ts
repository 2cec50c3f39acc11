import type { Database } from "bun:sqlite";
import { ManualClock } from "../../src/domain/clock.ts";
import { createRun, startTestDaemon, type TestDaemon } from "./daemon.ts";
import { describeBadAnswer } from "./error-shape.ts";

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
  daemon: TestDaemon;
  /** Sends one request; answers its status (0: no answer) and why it broke a promise. */
  check(request: FuzzRequest): Promise<{ status: number; problem: string | null }>;
  /** Whether the daemon still answers its health check. */
  healthy(): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * An in-process daemon to fuzz, with a clock that never moves: no deadline fires and no
 * key's `last used` is refreshed during the run, so any change to the database after a
 * request is that request's own doing.
 */
export async function startFuzzTarget(): Promise<FuzzTarget> {
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

  const openapi = (await (await daemon.request("/openapi.json")).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  const routes = Object.entries(openapi.paths).map(([path, operations]) => ({
    path,
    methods: Object.keys(operations).map((m) => m.toUpperCase()),
  }));

  const fingerprint = fingerprintQuery(daemon.db);
  const changes = daemon.db.query("SELECT total_changes() AS n");
  const changesNow = () => (changes.get() as { n: number }).n;
  // The fingerprint scans every table: it is taken again only after something changed.
  let known = { changes: changesNow(), print: fingerprint() };

  const check = async (request: FuzzRequest) => {
    if (changesNow() !== known.changes) known = { changes: changesNow(), print: fingerprint() };
    const before = known.print;
    let response: Response;
    try {
      response = await fetch(daemon.url + request.path, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      return { status: 0, problem: `no answer: ${String(error)}` };
    }
    const { status } = response;
    const text = await response.text();
    const bad = describeBadAnswer(status, response.headers, text, request);
    if (bad) return { status, problem: bad };
    // A refused request stores nothing; only a refused end signal (409) is recorded.
    // total_changes() also counts rows a rolled-back write touched: then compare contents.
    const touched = changesNow() !== known.changes;
    if (status >= 400 && status !== 409 && touched && fingerprint() !== before) {
      return {
        status,
        problem: `answered ${status} but changed the database: ${text.slice(0, 200)}`,
      };
    }
    return { status, problem: null };
  };
  const healthy = async () => (await fetch(`${daemon.url}/healthz`)).status === 200;

  return { daemon, keys, routes, runIds, check, healthy, close: () => daemon.close() };
}

/**
 * A summary of every table but the API keys, cheap enough to take around each request:
 * row counts, and per column the total length and the total of its numbers. A request that
 * inserts, deletes or changes a value changes it.
 */
function fingerprintQuery(db: Database): () => string {
  const tables = db
    .query(
      `SELECT name FROM sqlite_master
       WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name != 'api_keys'`,
    )
    .all() as { name: string }[];
  const parts = tables.map(({ name }) => {
    const columns = db.query(`SELECT name FROM pragma_table_info('${name}')`).all() as {
      name: string;
    }[];
    const sums = columns.flatMap(({ name: c }) => [
      `total(length(CAST("${c}" AS BLOB)))`,
      `total(CASE WHEN typeof("${c}") IN ('integer', 'real') THEN "${c}" END)`,
    ]);
    return `(SELECT count(*) || ':' || ${sums.join(" || ':' || ")} FROM "${name}")`;
  });
  const statement = db.query(`SELECT ${parts.join(" || '|' || ")} AS print`);
  return () => (statement.get() as { print: string }).print;
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
