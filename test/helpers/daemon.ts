import { join } from "node:path";
import type { AlertChannel } from "../../src/alerts/config.ts";
import { startDaemon, type Daemon } from "../../src/daemon.ts";
import type { Clock } from "../../src/domain/clock.ts";
import { silentLogger, type Logger } from "../../src/log/logger.ts";
import type { DeclaredSchedule } from "../../src/schedules/schedule-service.ts";
import { makeTempDir } from "./temp-dir.ts";

export interface TestDaemon extends Daemon {
  /** A write key's secret, ready for `Authorization: ApiKey <secret>`. */
  key: string;
  dbPath: string;
  dir: string;
  /** fetch against the daemon with the key set; `init.headers` are merged. */
  request(path: string, init?: RequestInit & { key?: string | null }): Promise<Response>;
  post(path: string, body?: unknown, key?: string | null): Promise<Response>;
  close(): Promise<void>;
}

/**
 * Starts a daemon in this process on a fresh temporary database and a free port. Pass
 * `dbPath` to reopen an earlier database (a restart).
 */
export async function startTestDaemon(
  options: {
    dbPath?: string;
    clock?: Clock;
    logger?: Logger;
    alerts?: readonly AlertChannel[];
    /** The config file's [[schedules]]. */
    schedules?: readonly DeclaredSchedule[];
  } = {},
): Promise<TestDaemon> {
  const temp = options.dbPath ? null : makeTempDir();
  const dbPath = options.dbPath ?? join(temp!.path, "statusbox.db");
  const daemon = await startDaemon({
    dbPath,
    host: "127.0.0.1",
    port: 0,
    logger: options.logger ?? silentLogger,
    clock: options.clock,
    alerts: options.alerts,
    schedules: options.schedules,
  });
  const key = daemon.firstKey ?? daemon.keys.create("test", "write").secret;

  const request = (path: string, init: RequestInit & { key?: string | null } = {}) => {
    const headers = new Headers(init.headers);
    const useKey = init.key === undefined ? key : init.key;
    if (useKey !== null && !headers.has("authorization")) {
      headers.set("authorization", `ApiKey ${useKey}`);
    }
    return fetch(daemon.url + path, { ...init, headers });
  };
  const post = (path: string, body?: unknown, useKey?: string | null) =>
    request(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
      key: useKey,
    });

  return {
    ...daemon,
    key,
    dbPath,
    dir: temp?.path ?? "",
    request,
    post,
    close: async () => {
      await daemon.stop();
      temp?.cleanup();
    },
  };
}

/** Creates a run and answers its id. */
export async function createRun(
  daemon: TestDaemon,
  body: Record<string, unknown> = { name: "backup", timeoutSeconds: 300 },
): Promise<number> {
  const response = await daemon.post("/api/jobs/", body);
  if (response.status !== 200) throw new Error(`create answered ${response.status}`);
  return ((await response.json()) as { id: number }).id;
}
