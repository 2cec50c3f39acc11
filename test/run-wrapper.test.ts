import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { closeSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openPipe } from "../src/cli/run/os-pipe.ts";
import { statusboxCommand } from "./helpers/binary.ts";
import { startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { daemonEnv, logLines, runNamed, spawnStatusbox } from "./helpers/wrapper.ts";

// Each test starts real processes (bun loading the CLI), which is slow on a busy machine.
setDefaultTimeout(30_000);

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon();
});
afterAll(() => daemon.close());

let names = 0;

/** Whether the wrapper gives its command kernel pipes here (see openPipe). */
const probe = openPipe();
for (const fd of probe ? [probe.read, probe.write] : []) closeSync(fd);
const kernelPipes = probe !== null;
/** Runs `statusbox run` on a fresh job name; answers the process and that name. */
async function wrap(
  script: string,
  options: {
    stdin?: string;
    env?: Record<string, string>;
    cwd?: string;
    stderrToStdout?: boolean;
  } = {},
) {
  const name = `job-${++names}`;
  const wrapper = spawnStatusbox(
    ["run", "--name", name, "--timeout", "60", "--", "sh", "-c", script],
    {
      ...options,
      env: { ...daemonEnv(daemon), ...options.env },
    },
  );
  const code = await wrapper.done;
  return { code, name, wrapper, run: () => runNamed(daemon, name)! };
}

describe("statusbox run: exit codes", () => {
  test("exit code 0 completes the run and the wrapper exits 0", async () => {
    const { code, run, wrapper } = await wrap("echo fine");
    expect(code).toBe(0);
    expect(run()).toMatchObject({ status: "completed", exitCode: 0 });
    expect(wrapper.stderr()).toBe("");
  });

  test("exit code 3 fails the run with exitCode 3 and the wrapper exits 3", async () => {
    const { code, run } = await wrap("echo trying; exit 3");
    expect(code).toBe(3);
    expect(run()).toMatchObject({ status: "failed", exitCode: 3, endMessage: null });
  });

  test("a failed command's last line on stderr is the run's end message, cut at 200 characters", async () => {
    const said = await wrap(
      "echo 'tar: /data: disk full' >&2; echo done; printf '  \\n' >&2; exit 2",
    );
    expect(said.code).toBe(2);
    expect(said.run()).toMatchObject({
      status: "failed",
      exitCode: 2,
      endMessage: "tar: /data: disk full",
    });

    const long = await wrap(`printf '%0300d\\n' 0 >&2; exit 1`);
    expect(long.run().endMessage).toBe(`${"0".repeat(199)}…`);

    const coloured = await wrap("printf '\\033[31mError:\\033[0m disk full\\007\\n' >&2; exit 1");
    expect(coloured.run().endMessage).toBe("Error: disk full\\x07");

    // A last line that only resets colours says nothing: the line before it is the reason.
    const reset = await wrap("printf 'real error\\n\\033[0m\\n\\033[31m  \\033[0m' >&2; exit 3");
    expect(reset.run()).toMatchObject({ status: "failed", exitCode: 3, endMessage: "real error" });
    const onlyColour = await wrap("printf '\\033[0m\\n' >&2; exit 4");
    expect(onlyColour.run()).toMatchObject({ status: "failed", exitCode: 4, endMessage: null });

    const fine = await wrap("echo 'a warning on stderr' >&2; exit 0");
    expect(fine.run()).toMatchObject({ status: "completed", endMessage: null });
  });

  test("a command killed by a signal fails the run, naming it; exit code 128+N", async () => {
    const killed = await wrap("kill -KILL $$");
    expect(killed.code).toBe(137);
    expect(killed.run()).toMatchObject({
      status: "failed",
      exitCode: 137,
      endMessage: "killed by SIGKILL",
    });

    const terminated = await wrap("kill -TERM $$");
    expect(terminated.code).toBe(143);
    expect(terminated.run()).toMatchObject({ status: "failed", endMessage: "killed by SIGTERM" });
  });

  test("a command that is not found exits 127 and fails the run", async () => {
    const name = `job-${++names}`;
    const wrapper = spawnStatusbox(
      ["run", "--name", name, "--timeout", "60", "--", "no-such-command-x"],
      {
        env: daemonEnv(daemon),
      },
    );
    expect(await wrapper.done).toBe(127);
    expect(wrapper.stderr()).toBe("statusbox run: no-such-command-x: command not found\n");
    expect(runNamed(daemon, name)).toMatchObject({ status: "failed", exitCode: 127 });
  });

  test("a file that is not executable exits 126, said as a shell would", async () => {
    const name = `job-${++names}`;
    const dir = makeTempDir();
    const file = join(dir.path, "notes.txt");
    writeFileSync(file, "not a program\n", { mode: 0o644 });
    try {
      const wrapper = spawnStatusbox(["run", "--name", name, "--timeout", "60", "--", file], {
        env: daemonEnv(daemon),
      });
      expect(await wrapper.done).toBe(126);
      const reason = "permission denied (is it an executable file?)";
      expect(wrapper.stderr()).toBe(`statusbox run: ${file}: ${reason}\n`);
      expect(runNamed(daemon, name)).toMatchObject({
        status: "failed",
        exitCode: 126,
        endMessage: `could not start ${file}: ${reason}`,
      });
    } finally {
      dir.cleanup();
    }
  });
});

describe("statusbox run: output", () => {
  test("stdout and stderr reach the terminal byte for byte", async () => {
    // Not UTF-8, a CRLF, a lone CR and no final newline: all must pass untouched.
    const { code, wrapper } = await wrap(
      String.raw`printf 'caf\351\r\nbar\rbaz\n\377end'; printf 'warn\n' >&2; printf 'tail' >&2`,
    );
    expect(code).toBe(0);
    const expected = Uint8Array.of(
      ...Buffer.from("caf"),
      0xe9,
      0x0d,
      0x0a,
      ...Buffer.from("bar\rbaz\n"),
      0xff,
      ...Buffer.from("end"),
    );
    expect(wrapper.stdoutBytes()).toEqual(expected);
    expect(wrapper.stderr()).toBe("warn\ntail");
  });

  test.skipIf(!kernelPipes)("the command writes into pipes, as under a shell's |", async () => {
    // Bun's own pipes are sockets, which cost a command writing line by line more.
    const { wrapper } = await wrap("[ -p /dev/stdout ] && [ -p /dev/stderr ] && echo pipes");
    expect(wrapper.stdout()).toBe("pipes\n");
  });

  test("each line becomes an event in order, with the stream it came from", async () => {
    // Lines of one stream keep their order; across the two pipes, order is the order of
    // arrival, so the script leaves a pause wherever it switches streams.
    const script =
      "echo out1; echo out2; sleep 0.2; echo err1 >&2; echo err2 >&2; sleep 0.2; echo out3";
    const { run } = await wrap(script);
    expect(logLines(daemon, run().id)).toEqual([
      ["stdout", "out1"],
      ["stdout", "out2"],
      ["stderr", "err1"],
      ["stderr", "err2"],
      ["stdout", "out3"],
    ]);
  });

  test("stdout and stderr one file (cron, 2>&1): output and events share one order", async () => {
    // The order the wrapper read the two pipes in: the command's own wherever it paused
    // between streams for longer than the wrapper takes to read a pipe.
    const script = ["o1", "e1", "o2", "e2", "o3"]
      .map((line) => `echo ${line}${line.startsWith("e") ? " >&2" : ""}`)
      .join("; sleep 0.1; ");
    const { code, run, wrapper } = await wrap(script, { stderrToStdout: true });
    expect(code).toBe(0);
    expect(wrapper.stdout()).toBe("o1\ne1\no2\ne2\no3\n");
    expect(logLines(daemon, run().id)).toEqual([
      ["stdout", "o1"],
      ["stderr", "e1"],
      ["stdout", "o2"],
      ["stderr", "e2"],
      ["stdout", "o3"],
    ]);
  });

  test("blank lines are not stored; a CRLF line is stored without its CR", async () => {
    const { run } = await wrap(String.raw`printf 'a\n\n\r\nb\r\n'`);
    expect(logLines(daemon, run().id)).toEqual([
      ["stdout", "a"],
      ["stdout", "b"],
    ]);
  });

  test("a line longer than 16 KiB becomes several events that join back to it", async () => {
    const { run, wrapper } = await wrap("head -c 40000 /dev/zero | tr '\\0' a; echo; echo next");
    expect(wrapper.stdout().length).toBe(40_000 + 1 + 5);
    const lines = logLines(daemon, run().id).map(([, m]) => m);
    expect(lines.length).toBe(4);
    expect(lines.slice(0, 3).join("")).toBe("a".repeat(40_000));
    expect(lines[3]).toBe("next");
  });

  test("100,000 lines all arrive as events, in order", async () => {
    const { code, run, wrapper } = await wrap("seq 1 100000");
    expect(code).toBe(0);
    expect(wrapper.stdout()).toBe(Array.from({ length: 100_000 }, (_, i) => `${i + 1}\n`).join(""));
    const lines = logLines(daemon, run().id);
    expect(lines.length).toBe(100_000);
    expect(
      lines.every(([stream, message], i) => stream === "stdout" && message === String(i + 1)),
    ).toBe(true);
    expect(run().status).toBe("completed");
  }, 30_000);
});

describe("statusbox run: the command's surroundings", () => {
  test("the command gets the same stdin, environment and working directory", async () => {
    const dir = makeTempDir();
    try {
      const { code, wrapper } = await wrap('cat; echo "$SBX_TEST_VAR"; pwd', {
        stdin: "from stdin\n",
        env: { SBX_TEST_VAR: "from env" },
        cwd: dir.path,
      });
      expect(code).toBe(0);
      expect(wrapper.stdout()).toBe(`from stdin\nfrom env\n${realpathSync(dir.path)}\n`);
    } finally {
      dir.cleanup();
    }
  });

  test("a background process left holding the output does not hold the wrapper", async () => {
    const started = Date.now();
    const { code, wrapper } = await wrap("sleep 30 & echo left behind");
    expect(code).toBe(0);
    expect(wrapper.stdout()).toBe("left behind\n");
    expect(Date.now() - started).toBeLessThan(20_000);
  });

  // Bun's own pipes, the fallback where no kernel pipe can be made, give ECONNRESET instead.
  test.skipIf(!kernelPipes)(
    "a reader that goes away (| head): the command gets SIGPIPE, the run is ended",
    async () => {
      const name = `job-${++names}`;
      const dir = makeTempDir();
      try {
        const wrapper = [...statusboxCommand(), "run", "--name", name, "--timeout", "60", "--"];
        // The wrapper's exit code goes to a file: a pipeline's status is head's.
        const pipeline = `{ "$@" seq 1 10000000; echo $? > '${dir.path}/code'; } | head -n 2`;
        const proc = Bun.spawn(["sh", "-c", pipeline, "sh", ...wrapper], {
          env: { ...process.env, ...daemonEnv(daemon) },
          stdout: "pipe",
        });
        expect(await new Response(proc.stdout).text()).toBe("1\n2\n");
        await proc.exited;

        expect(readFileSync(join(dir.path, "code"), "utf8")).toBe("141\n");
        expect(runNamed(daemon, name)).toMatchObject({
          status: "failed",
          exitCode: 141,
          endMessage: "killed by SIGPIPE",
        });
      } finally {
        dir.cleanup();
      }
    },
  );

  test("a run that times out while the command runs: exit code passes, one notice", async () => {
    const name = `job-${++names}`;
    const wrapper = spawnStatusbox(
      ["run", "--name", name, "--timeout", "0.3", "--", "sh", "-c", "sleep 0.8"],
      {
        env: daemonEnv(daemon),
      },
    );
    expect(await wrapper.done).toBe(0);
    const run = runNamed(daemon, name)!;
    expect(run.status).toBe("timed_out");
    expect(run.lateEndAt).not.toBeNull();
    expect(wrapper.stderr()).toBe(
      `statusbox run: run ${run.id} was already timed out; its end was recorded\n`,
    );
  });
});

describe("statusbox run: arguments", () => {
  test("bad arguments exit 2 with the usage and run nothing", async () => {
    const cases: [string[], string][] = [
      [["--timeout", "5", "--", "echo", "ran"], "--name is required"],
      [["--name", "x", "--", "echo", "ran"], "--timeout is required"],
      [["--name", "x", "--timeout", "0", "--", "echo", "ran"], "--timeout must be a number"],
      [["--name", "x", "--timeout", "ten", "--", "echo", "ran"], "--timeout must be a number"],
      [["--name", "n".repeat(65), "--timeout", "5", "--", "echo"], "--name must be at most 64"],
      [["--name", "x", "--timeout", "5"], "the COMMAND to run is missing: give it after '--'"],
      [["--name", "x", "--timeout", "5", "--"], "the COMMAND to run is missing"],
      [
        ["--name", "x", "--timeout", "5", "--url", "ftp://x", "--", "echo"],
        "--url must be an http",
      ],
      [["--name", "x", "--timeout", "5", "--bogus", "--", "echo"], "run: unknown option --bogus\n"],
    ];
    for (const [args, message] of cases) {
      const wrapper = spawnStatusbox(["run", ...args], { env: daemonEnv(daemon) });
      expect(await wrapper.done).toBe(2);
      expect(wrapper.stderr()).toContain(message);
      expect(wrapper.stderr()).toContain("Usage: statusbox run");
      expect(wrapper.stdout()).toBe("");
    }
    expect(runNamed(daemon, "x")).toBeUndefined();
  });

  test("--url and --key win over STATUSBOX_URL and STATUSBOX_API_KEY", async () => {
    const name = `job-${++names}`;
    const wrapper = spawnStatusbox(
      [
        "run",
        "--name",
        name,
        "--timeout",
        "5",
        "--url",
        daemon.url,
        "--key",
        daemon.key,
        "--",
        "true",
      ],
      { env: { STATUSBOX_URL: "http://127.0.0.1:1", STATUSBOX_API_KEY: "sbx_wrong" } },
    );
    expect(await wrapper.done).toBe(0);
    expect(wrapper.stderr()).toBe("");
    expect(runNamed(daemon, name)?.status).toBe("completed");
  });

  test("a key the daemon refuses: the command still runs, one warning says so", async () => {
    const name = `job-${++names}`;
    const wrapper = spawnStatusbox(
      ["run", "--name", name, "--timeout", "5", "--", "sh", "-c", "echo ran; exit 4"],
      {
        env: { ...daemonEnv(daemon), STATUSBOX_API_KEY: "sbx_not_a_key" },
      },
    );
    expect(await wrapper.done).toBe(4);
    expect(wrapper.stdout()).toBe("ran\n");
    expect(wrapper.stderr()).toBe(
      "statusbox run: the daemon refused the run: unknown or revoked API key (HTTP 401); " +
        "the command runs without being reported\n",
    );
    expect(runNamed(daemon, name)).toBeUndefined();
  });
});
