import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { StatusBoxClient } from "../../src/client/index.ts";
import { spawnDaemon, type DaemonProcess } from "./process-daemon.ts";
import { makeTempDir } from "./temp-dir.ts";

const KEY = "sbx_wrapper_hung_daemon_test_key";

export interface StoppedDaemon {
  daemon: DaemonProcess;
  /** A client of the daemon, for checking what it stored once it runs again. */
  client: StatusBoxClient;
  /** The environment that points statusbox run at it. */
  env: { STATUSBOX_URL: string; STATUSBOX_API_KEY: string };
  /** SIGCONT: the daemon goes on where it stopped, with what queued meanwhile. */
  resume(): void;
  /** How many connections to it the kernel has taken, waiting for it to read them. */
  waitingConnections(): number;
  /** Resumes and kills it, and removes its database. */
  close(): Promise<void>;
}

/**
 * A real daemon process, started and then stopped with SIGSTOP: it accepts connections (the
 * kernel does) but answers nothing, as a hung daemon would, until `resume`.
 */
export async function stoppedDaemon(): Promise<StoppedDaemon> {
  const dir = makeTempDir();
  const daemon = await spawnDaemon(join(dir.path, "db.sqlite"), {
    env: { STATUSBOX_API_KEY: KEY },
  });
  daemon.proc.kill("SIGSTOP");
  const resume = () => void daemon.proc.kill("SIGCONT");
  return {
    daemon,
    client: new StatusBoxClient({ url: daemon.url, key: KEY }),
    env: { STATUSBOX_URL: daemon.url, STATUSBOX_API_KEY: KEY },
    resume,
    waitingConnections: () => establishedTo(Number(new URL(daemon.url).port)),
    close: async () => {
      resume();
      await daemon.stop("SIGKILL");
      dir.cleanup();
    },
  };
}

/** Established TCP connections to `port` on this host, from the kernel's table (Linux). */
function establishedTo(port: number): number {
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0");
  let count = 0;
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    if (!existsSync(table)) continue;
    for (const row of readFileSync(table, "utf8").split("\n").slice(1)) {
      const [, , remote, state] = row.trim().split(/\s+/);
      if (state === "01" && remote?.endsWith(`:${hexPort}`)) count++;
    }
  }
  return count;
}
