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

/**
 * A stand-in daemon whose answers the test holds back: `hold` names the requests ("create",
 * "events") that wait until `release()`. It records the end signals it receives.
 */
function slowDaemon(hold: ("create" | "events")[]) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  const seen: string[] = [];
  const ends: { path: string; body: Record<string, unknown> }[] = [];
  const server = Bun.serve({
    port: 0,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      const kind = path === "/api/jobs/" ? "create" : path.endsWith("/events") ? "events" : "end";
      seen.push(kind);
      if (kind !== "end" && hold.includes(kind)) await released;
      if (kind === "create") return Response.json({ status: "ok", id: 1 });
      if (kind === "events") return Response.json({ status: "ok", stored: 1 });
      ends.push({ path, body: (await request.json()) as Record<string, unknown> });
      return new Response(null, { status: 200 });
    },
  });
  const env = { STATUSBOX_URL: `http://127.0.0.1:${server.port}`, STATUSBOX_API_KEY: "k" };
  return { env, seen, ends, release, stop: () => server.stop(true) };
}

describe("statusbox run: signals before and after the command", () => {
  test("a signal while the run is being created: the command never starts", async () => {
    const daemon = slowDaemon(["create"]);
    try {
      const marker = `/tmp/statusbox-never-${process.pid}-${Date.now()}`;
      const wrapper = spawnStatusbox(
        ["run", "--name", "x", "--timeout", "60", "--", "sh", "-c", `touch ${marker}`],
        { env: daemon.env },
      );
      await waitFor(() => daemon.seen.includes("create"), { timeoutMs: 15_000 });
      wrapper.proc.kill("SIGTERM");
      await Bun.sleep(100); // let the wrapper take the signal before the answer comes
      daemon.release();

      expect(await wrapper.done).toBe(143);
      expect(await Bun.file(marker).exists()).toBe(false);
      expect(daemon.ends).toEqual([
        {
          path: "/api/jobs/1/cancel",
          body: { message: "cancelled by SIGTERM before the command started", exitCode: 143 },
        },
      ]);
    } finally {
      daemon.release();
      await daemon.stop();
    }
  });

  test("a signal while lines are still being sent: the wrapper stops sending and ends", async () => {
    const daemon = slowDaemon(["events"]);
    try {
      const wrapper = spawnStatusbox(
        ["run", "--name", "x", "--timeout", "60", "--", "sh", "-c", "echo a; echo b; exit 3"],
        { env: daemon.env },
      );
      await waitFor(() => wrapper.stdout() === "a\nb\n" && daemon.seen.includes("events"), {
        timeoutMs: 15_000,
      });
      await Bun.sleep(200); // the command has exited; the wrapper waits on the held batch
      wrapper.proc.kill("SIGINT");

      expect(await wrapper.done).toBe(3);
      const lost = daemon.ends[0]!.body.message as string;
      expect(daemon.ends[0]!.path).toBe("/api/jobs/1/fail");
      expect(lost).toMatch(/^[12] output lines? (was|were) not reported$/);
    } finally {
      daemon.release();
      await daemon.stop();
    }
  });
});
