import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runCli } from "../src/cli/main.ts";
import { formatRun } from "../src/cli/run/show-run.ts";
import { runStatusbox, statusboxCommand } from "./helpers/binary.ts";
import { startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";
import { waitFor } from "./helpers/wait-for.ts";
import { daemonEnv, logLines } from "./helpers/wrapper.ts";

// Each test starts real processes (bun loading the CLI), which is slow on a busy machine.
setDefaultTimeout(30_000);

let daemon: TestDaemon;
let env: Record<string, string>;
beforeAll(async () => {
  daemon = await startTestDaemon();
  env = daemonEnv(daemon);
});
afterAll(() => daemon.close());

const job = (args: string[], stdin?: string) => runStatusbox(["job", ...args], { env, stdin });

async function started(name = "script job"): Promise<number> {
  const result = await job(["start", "--name", name, "--timeout", "120"]);
  expect(result.code).toBe(0);
  return Number(result.stdout.trim());
}

describe("statusbox job commands", () => {
  test("job start prints the new id alone", async () => {
    const result = await job(["start", "--name", "backup", "--timeout", "90", "--version", "1.2"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^\d+\n$/);
    const run = daemon.runs.get(Number(result.stdout));
    expect(run).toMatchObject({
      name: "backup",
      timeoutSeconds: 90,
      version: "1.2",
      status: "running",
    });
  });

  test("a shell script can start, log and complete a run", async () => {
    const sb = statusboxCommand()
      .map((part) => `'${part}'`)
      .join(" ");
    const script = [
      `ID=$(${sb} job start --name from-sh --timeout 60) || exit 9`,
      `${sb} job log "$ID" "copying files" || exit 9`,
      `printf 'one\\ntwo\\n' | ${sb} job log "$ID" - || exit 9`,
      `${sb} job complete "$ID" --message "all copied" || exit 9`,
      `echo "$ID"`,
    ].join("\n");
    const proc = Bun.spawn(["sh", "-c", script], {
      env: { ...process.env, ...env },
      stdout: "pipe",
    });
    const out = await new Response(proc.stdout).text();
    expect(await proc.exited).toBe(0);

    const id = Number(out.trim());
    expect(daemon.runs.get(id)).toMatchObject({ status: "completed", endMessage: "all copied" });
    expect(logLines(daemon, id)).toEqual([
      [null, "copying files"],
      [null, "one"],
      [null, "two"],
    ]);
  });

  test("job log - sends lines while stdin is still open", async () => {
    const id = await started();
    const proc = Bun.spawn([...statusboxCommand(), "job", "log", String(id), "-"], {
      env: { ...process.env, ...env },
      stdin: "pipe",
      stderr: "pipe",
    });
    proc.stdin.write("first line\n");
    await proc.stdin.flush();
    await waitFor(() => logLines(daemon, id).length === 1, { timeoutMs: 15_000 });
    proc.stdin.write("second line\n\nthird");
    await proc.stdin.end();

    expect(await proc.exited).toBe(0);
    expect(logLines(daemon, id).map(([, m]) => m)).toEqual(["first line", "second line", "third"]);
  });

  test("job log - on an unknown run exits 1 with the daemon's message", async () => {
    const result = await job(["log", "999999", "-"], "a\nb\n");
    expect(result.code).toBe(1);
    expect(result.stderr).toBe("statusbox job log: no job with id 999999 (HTTP 404)\n");
  });

  test("job log splits a message over 16 KiB instead of cutting it", async () => {
    const id = await started();
    const long = "w".repeat(40_000);
    expect((await job(["log", String(id), long])).code).toBe(0);
    expect(
      logLines(daemon, id)
        .map(([, m]) => m)
        .join(""),
    ).toBe(long);
  });

  test("job complete, fail and cancel record the message and exit code", async () => {
    for (const [signal, status] of [
      ["complete", "completed"],
      ["fail", "failed"],
      ["cancel", "cancelled"],
    ] as const) {
      const id = await started();
      const result = await job([
        signal,
        String(id),
        "--message",
        `${signal} it`,
        "--exit-code",
        "7",
      ]);
      expect(result).toEqual({ code: 0, stdout: "", stderr: "" });
      expect(daemon.runs.get(id)).toMatchObject({
        status,
        exitCode: 7,
        endMessage: `${signal} it`,
      });
    }
  });

  test("the same end twice is fine; another end exits 1 with the daemon's message", async () => {
    const id = await started();
    expect((await job(["fail", String(id)])).code).toBe(0);
    expect((await job(["fail", String(id)])).code).toBe(0);

    const refused = await job(["complete", String(id)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `statusbox job complete: job ${id} is already failed; complete refused (HTTP 409)\n`,
    );
  });

  test("job show prints the run and its events; --json prints both as JSON", async () => {
    const id = await started("shown");
    await job(["log", String(id), "hello"]);
    await job(["fail", String(id), "--exit-code", "2", "--message", "disk full"]);

    const text = await job(["show", String(id)]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`id        ${id}\n`);
    expect(text.stdout).toContain("name      shown\n");
    expect(text.stdout).toContain("status    failed (exit code 2)\n");
    expect(text.stdout).toContain("message   disk full\n");
    expect(text.stdout).toMatch(/Z {2}status {4}- {7}running \(timeout 120s\)\n/);
    expect(text.stdout).toMatch(/Z {2}log {7}- {7}hello\n/);
    expect(text.stdout).toMatch(/Z {2}status {4}- {7}failed: exit code 2, disk full\n$/);

    const json = JSON.parse((await job(["show", String(id), "--json"])).stdout);
    expect(json.job).toMatchObject({ id, name: "shown", status: "failed", exitCode: 2 });
    expect(json.events.map((e: { message: string }) => e.message)).toEqual([
      "running (timeout 120s)",
      "hello",
      "failed: exit code 2, disk full",
    ]);
  });

  test("daemon errors exit 1 with the daemon's message and status", async () => {
    const missing = await job(["show", "987654"]);
    expect(missing).toEqual({
      code: 1,
      stdout: "",
      stderr: "statusbox job show: no job with id 987654 (HTTP 404)\n",
    });

    const badKey = await runStatusbox(["job", "log", "1", "x"], {
      env: { ...env, STATUSBOX_API_KEY: "sbx_nope" },
    });
    expect(badKey.code).toBe(1);
    expect(badKey.stderr).toBe("statusbox job log: unknown or revoked API key (HTTP 401)\n");

    const noKey = await runStatusbox(["job", "show", "1"], {
      env: { ...env, STATUSBOX_API_KEY: "" },
    });
    expect(noKey).toMatchObject({ code: 1, stdout: "" });
    expect(noKey.stderr).toBe(
      "statusbox job show: the daemon needs an API key: set STATUSBOX_API_KEY or pass --key " +
        "(HTTP 401)\n",
    );
    const emptyFlag = await runStatusbox(["job", "show", "1", "--key", ""], { env });
    expect(emptyFlag.code).toBe(2);
    expect(emptyFlag.stderr).toStartWith("statusbox job show: --key needs a value");

    const reader = daemon.keys.create("reader", "read").secret;
    const readOnly = await runStatusbox(
      ["job", "start", "--name", "x", "--timeout", "5", "--key", reader],
      {
        env,
      },
    );
    expect(readOnly.stderr).toBe("statusbox job start: this API key is read-only (HTTP 403)\n");
  });

  test("an unreachable daemon exits 1 naming its URL", async () => {
    const server = Bun.serve({ port: 0, fetch: () => new Response("") });
    const url = `http://127.0.0.1:${server.port}`;
    await server.stop(true);
    const result = await runStatusbox(["job", "show", "1", "--url", url], { env });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `statusbox job show: cannot reach ${url} (ECONNREFUSED); ` +
        "is the daemon running at that address? (--url, STATUSBOX_URL)\n",
    );
  });

  test("run and every job command have their own --help, listed in the overview", async () => {
    const out: string[] = [];
    const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t) };
    expect(await runCli(["--help"], io)).toBe(0);
    const overview = out.join("");
    for (const command of [
      "run",
      "job start",
      "job log",
      "job complete",
      "job fail",
      "job cancel",
      "job show",
    ]) {
      expect(overview).toContain(`  ${command} `);
      out.length = 0;
      expect(await runCli([...command.split(" "), "--help"], io)).toBe(0);
      expect(out.join("")).toStartWith(`Usage: statusbox ${command}`);
      expect(out.join("")).toContain("--url URL");
    }
  });

  test("bad arguments exit 2 with the usage", async () => {
    const cases: [string[], string][] = [
      [["start", "--timeout", "5"], "--name is required"],
      [["start", "--name", "x", "--timeout=-1"], "--timeout must be a number"],
      [["log", "abc", "hi"], "ID must be a job id (a positive whole number), not 'abc'"],
      [["log", "1"], "the MESSAGE to log is missing"],
      [["log", "1", ""], "MESSAGE must not be empty"],
      [["complete", "1", "--exit-code", "256"], "--exit-code must be a whole number from 0 to 255"],
      [["fail", "0"], "ID must be a job id"],
      [["cancel", "1", "--message", ""], "--message must not be empty"],
      [["show"], "the ID of the run is missing"],
    ];
    for (const [args, message] of cases) {
      const result = await job(args);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).toContain(`Usage: statusbox job ${args[0]}`);
    }
  });
});

describe("job show of a missed run", () => {
  test("prints when a run was expected and how many windows were missed", () => {
    const missed = {
      id: 9,
      name: "nightly",
      version: null,
      status: "missed" as const,
      timeoutSeconds: 0,
      createdAt: "2026-01-02T03:15:00.000Z",
      deadlineAt: "2026-01-02T03:15:00.000Z",
      finishedAt: "2026-01-02T03:15:00.000Z",
      durationMs: 0,
      reportedEndAt: null,
      reportedDurationMs: null,
      exitCode: null,
      message: "no run started by 2026-01-02T03:15:00.000Z",
      eventCount: 1,
      expectedAt: "2026-01-02T03:00:00.000Z",
      missedWindows: 2,
    };
    const text = formatRun(missed, []);
    expect(text).toMatch(/^expected +2026-01-02T03:00:00.000Z$/m);
    expect(text).toMatch(/^missed +2 window\(s\)$/m);
  });
});
