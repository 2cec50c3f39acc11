import { generateSecret } from "../../src/auth/secrets.ts";
import { spawnDaemon, type DaemonProcess } from "./process-daemon.ts";

export interface KeyedDaemon extends DaemonProcess {
  /** A write key's secret, given to the daemon as STATUSBOX_API_KEY. */
  key: string;
  /** `{Authorization: "ApiKey <key>"}`, ready for fetch. */
  auth: Record<string, string>;
}

/**
 * Spawns the real daemon with a write key chosen here (STATUSBOX_API_KEY), so that tests do
 * not depend on catching the first key on stdout, and restarts of the same database keep
 * the same key.
 */
export async function spawnKeyedDaemon(
  dbPath: string,
  options: { key?: string; env?: Record<string, string>; args?: string[] } = {},
): Promise<KeyedDaemon> {
  const key = options.key ?? generateSecret();
  const daemon = await spawnDaemon(dbPath, {
    args: options.args,
    env: { ...options.env, STATUSBOX_API_KEY: key },
  });
  return Object.assign(daemon, { key, auth: { Authorization: `ApiKey ${key}` } });
}
