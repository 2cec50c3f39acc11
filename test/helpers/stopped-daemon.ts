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
    close: async () => {
      resume();
      await daemon.stop("SIGKILL");
      dir.cleanup();
    },
  };
}
