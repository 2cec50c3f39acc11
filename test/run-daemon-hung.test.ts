import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { Writable } from "node:stream";
import { StatusBoxClient } from "../src/client/index.ts";
import { runWrapped } from "../src/cli/run/wrapper.ts";
import { stoppedDaemon } from "./helpers/stopped-daemon.ts";
import { waitFor } from "./helpers/wait-for.ts";
import { spawnStatusbox } from "./helpers/wrapper.ts";

// Each test starts real processes (bun loading the CLI), which is slow on a busy machine.
setDefaultTimeout(30_000);

/** The log lines of run 1, sorted: lines of the two streams written together, in any order. */
async function loggedLines(client: StatusBoxClient): Promise<string[]> {
  const events = await client.allEvents(1);
  return events
    .filter((e) => e.kind === "log")
    .map((e) => e.message)
    .sort();
}

/** runWrapped in this process, with its output captured and short waits for the daemon. */
async function wrapHere(
  env: { STATUSBOX_URL: string; STATUSBOX_API_KEY: string },
  script: string,
  waits: {
    startWaitMs: number;
    createPatienceMs: number;
    flushTimeoutMs?: number;
  },
) {
  const captured = { stdout: "", stderr: "" };
  const sink = (name: keyof typeof captured) =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        captured[name] += chunk.toString();
        done();
      },
    });
  const client = new StatusBoxClient({ url: env.STATUSBOX_URL, key: env.STATUSBOX_API_KEY });
  const done = runWrapped({
    client,
    job: { name: "hung", timeoutSeconds: 60 },
    command: ["sh", "-c", script],
    stdout: sink("stdout"),
    stderr: sink("stderr"),
    ...waits,
  });
  return { captured, done };
}

describe("statusbox run when the daemon hangs", () => {
  test("stopped: the command runs meanwhile; its run is ended once the daemon wakes", async () => {
    const hung = await stoppedDaemon();
    try {
      const wrapper = spawnStatusbox(
        [
          "run",
          "--name",
          "hung",
          "--timeout",
          "60",
          "--",
          "sh",
          "-c",
          "echo out; echo err >&2; exit 3",
        ],
        { env: hung.env },
      );
      // The command runs although the daemon has not answered the creation of its run.
      await waitFor(() => wrapper.stdout() === "out\n" && wrapper.stderr() === "err\n", {
        timeoutMs: 15_000,
      });
      await Bun.sleep(300);
      expect(wrapper.proc.exitCode).toBeNull(); // waiting for the daemon, to report the run

      hung.resume();
      expect(await wrapper.done).toBe(3);
      expect(wrapper.stderr()).toBe("err\n");
      const job = await hung.client.get(1);
      expect(job).toMatchObject({ status: "failed", exitCode: 3 });
      // Its last stderr line, then how late the run was created.
      expect(job.message).toMatch(
        /^err; the daemon created the run \d+\.\d s after the command had started$/,
      );
      expect(await loggedLines(hung.client)).toEqual(["err", "out"]);
    } finally {
      await hung.close();
    }
  });

  test("Ctrl-C before the command started: it never runs, the wrapper does not hang", async () => {
    const hung = await stoppedDaemon();
    try {
      const marker = `/tmp/statusbox-never-${process.pid}-${Date.now()}`;
      const wrapper = spawnStatusbox(
        ["run", "--name", "hung", "--timeout", "60", "--", "sh", "-c", `touch ${marker}`],
        { env: hung.env },
      );
      // Its request is in the stopped daemon's socket: the wrapper waits for the answer.
      await waitFor(() => hung.waitingConnections() > 0, { timeoutMs: 15_000 });
      wrapper.proc.kill("SIGINT");
      const signalled = Date.now();

      expect(await wrapper.done).toBe(130);
      expect(wrapper.proc.signalCode).toBeNull(); // it exited itself, having caught SIGINT
      expect(Date.now() - signalled).toBeLessThan(5000);
      expect(await Bun.file(marker).exists()).toBe(false);
      expect(wrapper.stderr()).toBe(
        `statusbox run: no answer from ${hung.env.STATUSBOX_URL} to the creation of the run; ` +
          "it is not reported\n",
      );
    } finally {
      await hung.close();
    }
  });

  test("stopped long: one warning says so; the run is still reported when it wakes", async () => {
    const hung = await stoppedDaemon();
    try {
      const { captured, done } = await wrapHere(hung.env, "echo working; sleep 1; echo done", {
        startWaitMs: 100,
        createPatienceMs: 300,
      });
      await waitFor(() => captured.stderr !== "", { timeoutMs: 10_000 });
      hung.resume();

      expect(await done).toBe(0);
      expect(captured.stdout).toBe("working\ndone\n");
      expect(captured.stderr).toBe(
        `statusbox run: no answer from ${hung.env.STATUSBOX_URL} in 0.3 s to the creation of the ` +
          "run; the command goes on, and is reported if the daemon answers in time\n",
      );
      expect(await hung.client.get(1)).toMatchObject({ status: "completed", exitCode: 0 });
      expect(await loggedLines(hung.client)).toEqual(["done", "working"]);
    } finally {
      await hung.close();
    }
  });

  test("stopped once the run exists: every request after the command shares its wait", async () => {
    const hung = await stoppedDaemon();
    const marker = `/tmp/statusbox-go-${process.pid}-${Date.now()}`;
    try {
      hung.resume();
      const script = `echo one; while [ ! -e ${marker} ]; do sleep 0.02; done; echo two; exit 4`;
      const { captured, done } = await wrapHere(hung.env, script, {
        startWaitMs: 5000,
        createPatienceMs: 10_000,
        flushTimeoutMs: 1000,
      });
      // The run exists and its first line was stored: the wrapper believes the daemon healthy.
      await waitFor(async () => (await loggedLines(hung.client).catch(() => [])).length === 1, {
        timeoutMs: 10_000,
      });
      hung.daemon.proc.kill("SIGSTOP");
      await Bun.write(marker, "");
      const exited = Date.now();

      expect(await done).toBe(4);
      // Before, the end signal had 10 s per attempt of its own once the wait was over.
      expect(Date.now() - exited).toBeLessThan(1000 + 1500);
      expect(captured.stdout).toBe("one\ntwo\n");
      expect(captured.stderr.split("\n").filter(Boolean)).toHaveLength(1);
    } finally {
      await Bun.file(marker)
        .delete()
        .catch(() => {});
      await hung.close();
    }
  });

  test("stopped past the wait after the command: its exit code passes, one warning", async () => {
    const hung = await stoppedDaemon();
    try {
      const started = Date.now();
      const { captured, done } = await wrapHere(hung.env, "echo ran; exit 5", {
        startWaitMs: 100,
        createPatienceMs: 300,
        flushTimeoutMs: 1000,
      });
      expect(await done).toBe(5);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(captured.stdout).toBe("ran\n");
      expect(captured.stderr.split("\n").filter(Boolean)).toEqual([
        expect.stringContaining(`statusbox run: no answer from ${hung.env.STATUSBOX_URL}`),
      ]);
    } finally {
      await hung.close();
    }
  });
});
