import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";
import { waitFor } from "./helpers/wait-for.ts";
import { daemonEnv, logLines, runNamed, spawnStatusbox } from "./helpers/wrapper.ts";

// Each test starts real processes (bun loading the CLI), which is slow on a busy machine.
setDefaultTimeout(30_000);

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon();
});
afterAll(() => daemon.close());

let names = 0;

/** Starts a wrapped script, waits until it printed "ready", and sends the wrapper `signal`. */
async function signalled(script: string, signal: NodeJS.Signals) {
  const name = `signalled-${++names}`;
  const wrapper = spawnStatusbox(
    ["run", "--name", name, "--timeout", "60", "--", "sh", "-c", script],
    {
      env: daemonEnv(daemon),
    },
  );
  await waitFor(() => wrapper.stdout().includes("ready"), {
    what: "the command to start",
    timeoutMs: 15_000,
  });
  wrapper.proc.kill(signal);
  const code = await wrapper.done;
  return { code, wrapper, run: runNamed(daemon, name)! };
}

describe("statusbox run: signals sent to the wrapper", () => {
  test("SIGTERM is forwarded to the command and the run is marked cancelled", async () => {
    const { code, run } = await signalled("echo ready; exec sleep 30", "SIGTERM");
    expect(code).toBe(143);
    expect(run).toMatchObject({ status: "cancelled", exitCode: 143 });
    expect(run.endMessage).toBe(
      "cancelled by SIGTERM sent to statusbox run; the command was killed by SIGTERM",
    );
  });

  test("a command that handles SIGTERM cleans up; its own exit code passes through", async () => {
    const script = `trap 'echo cleaning up; exit 5' TERM; echo ready; while :; do sleep 0.05; done`;
    const { code, wrapper, run } = await signalled(script, "SIGTERM");
    expect(code).toBe(5);
    expect(wrapper.stdout()).toBe("ready\ncleaning up\n");
    expect(run).toMatchObject({ status: "cancelled", exitCode: 5 });
    expect(logLines(daemon, run.id).map(([, m]) => m)).toEqual(["ready", "cleaning up"]);
  });

  test("SIGINT is forwarded too: exit 130, run cancelled", async () => {
    const { code, run } = await signalled("echo ready; exec sleep 30", "SIGINT");
    expect(code).toBe(130);
    expect(run).toMatchObject({ status: "cancelled", exitCode: 130 });
    expect(run.endMessage).toContain("cancelled by SIGINT");
  });
});
