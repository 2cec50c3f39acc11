import { describe, expect, test } from "bun:test";
import { chmodSync, existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { alertKit } from "./helpers/alerts-kit.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Writes an executable shell script into `dir` and answers its path. */
function script(dir: string, name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

describe("command channel", () => {
  test("runs the program with its arguments, STATUSBOX_* variables, JSON on stdin", async () => {
    const dir = makeTempDir();
    const out = join(dir.path, "out");
    const pageMe = script(
      dir.path,
      "page-me",
      `printf '%s\\n' "$@" > ${out}.args
env | grep '^STATUSBOX_' | sort > ${out}.env
cat > ${out}.stdin`,
    );
    const kit = alertKit([
      {
        name: "pager",
        type: "command",
        command: [pageMe, "--urgent", "two words"],
        env: { TEAM: "ops" },
      },
    ]);
    try {
      const run = await kit.runs.create({ name: "backup-db", timeoutSeconds: 60, version: "3" });
      kit.clock.advance(1500);
      await kit.runs.end(run.id, "fail", { exitCode: 4, message: "no space" });
      await kit.dispatcher.step();

      expect(kit.attempts()[0]).toMatchObject({ outcome: "delivered", status_code: 0 });
      expect(readFileSync(`${out}.args`, "utf8")).toBe("--urgent\ntwo words\n");
      const env = Object.fromEntries(
        readFileSync(`${out}.env`, "utf8")
          .trim()
          .split("\n")
          .map((line) => line.split(/=(.*)/s).slice(0, 2)),
      );
      expect(env).toMatchObject({
        STATUSBOX_TRIGGER: "failed",
        STATUSBOX_CHANNEL: "pager",
        STATUSBOX_RUN_ID: "1",
        STATUSBOX_RUN_NAME: "backup-db",
        STATUSBOX_RUN_VERSION: "3",
        STATUSBOX_RUN_STATUS: "failed",
        STATUSBOX_RUN_EXIT_CODE: "4",
        STATUSBOX_RUN_MESSAGE: "no space",
        STATUSBOX_RUN_DURATION_MS: "1500",
        STATUSBOX_SUMMARY: "backup-db #1 failed after 1.5s (exit code 4): no space",
        STATUSBOX_IDEMPOTENCY_KEY: kit.outbox()[0]!.idempotency_key,
        STATUSBOX_HELD_BACK: "0",
        STATUSBOX_TEST: "0",
      });
      const stdin = JSON.parse(readFileSync(`${out}.stdin`, "utf8"));
      expect(stdin).toEqual(kit.outbox()[0]!.payload);
    } finally {
      await kit.close();
      dir.cleanup();
    }
  });

  test("no shell: a run name full of shell syntax is passed as plain text", async () => {
    const dir = makeTempDir();
    const out = join(dir.path, "name");
    const echo = script(dir.path, "echo-name", `printf '%s' "$STATUSBOX_RUN_NAME" > ${out}`);
    const kit = alertKit([{ name: "pager", type: "command", command: [echo, "$(touch pwned)"] }]);
    try {
      const evil = `x; touch ${join(dir.path, "pwned")} $(id) \`id\``;
      await kit.finish(evil, "fail");
      await kit.dispatcher.step();
      expect(readFileSync(out, "utf8")).toBe(evil);
      expect(existsSync(join(dir.path, "pwned"))).toBe(false);
    } finally {
      await kit.close();
      dir.cleanup();
    }
  });

  test("a NUL in the run's end message reaches the command as ␀, and the alert is delivered", async () => {
    const dir = makeTempDir();
    const out = join(dir.path, "message");
    const echo = script(dir.path, "echo-msg", `printf '%s' "$STATUSBOX_RUN_MESSAGE" > ${out}`);
    const kit = alertKit([{ name: "pager", type: "command", command: [echo] }]);
    try {
      await kit.finish("nul", "fail", 1000, { message: "boom \0 here" });
      await kit.dispatcher.step();
      expect(kit.attempts().map((a) => a.outcome)).toEqual(["delivered"]);
      expect(readFileSync(out, "utf8")).toBe("boom \u2400 here");
    } finally {
      await kit.close();
      dir.cleanup();
    }
  });

  test("the daemon's own secrets are not passed on to the command", async () => {
    const dir = makeTempDir();
    const out = join(dir.path, "env");
    const dump = script(dir.path, "dump", `env > ${out}`);
    const kit = alertKit([{ name: "pager", type: "command", command: [dump] }]);
    process.env.STATUSBOX_API_KEY = "sbx_not_for_scripts";
    try {
      await kit.finish("x", "fail");
      await kit.dispatcher.step();
      const env = readFileSync(out, "utf8");
      expect(env).not.toContain("sbx_not_for_scripts");
      expect(env).toContain("PATH=");
    } finally {
      delete process.env.STATUSBOX_API_KEY;
      await kit.close();
      dir.cleanup();
    }
  });

  test("a non-zero exit is a failure to retry, with the end of stderr as its error", async () => {
    const dir = makeTempDir();
    const flaky = script(dir.path, "flaky", `echo "pager service unreachable" >&2; exit 3`);
    const kit = alertKit([{ name: "pager", type: "command", command: [flaky] }]);
    try {
      await kit.finish("x", "fail");
      await kit.dispatcher.step();
      expect(kit.attempts()[0]).toMatchObject({
        outcome: "failed",
        status_code: 3,
        error: "exited with code 3: pager service unreachable",
      });
      expect(kit.outbox()[0]!.state).toBe("pending");
    } finally {
      await kit.close();
      dir.cleanup();
    }
  });

  test("a program that floods stderr gives the end of it as the error", async () => {
    const dir = makeTempDir();
    const flood = script(
      dir.path,
      "flood",
      `head -c 50000000 /dev/zero | tr '\\0' a >&2; echo "pager service unreachable" >&2; exit 1`,
    );
    const kit = alertKit([{ name: "pager", type: "command", command: [flood] }]);
    try {
      await kit.finish("x", "fail");
      await kit.dispatcher.step();
      const [attempt] = kit.attempts();
      expect(attempt).toMatchObject({ outcome: "failed", status_code: 1 });
      expect(attempt!.error).toStartWith("exited with code 1: aaaa");
      expect(attempt!.error).toEndWith("aaaapager service unreachable");
      expect(attempt!.error!.length).toBeLessThan(400);
    } finally {
      await kit.close();
      dir.cleanup();
    }
  });

  test("a program still running at the time limit is killed and retried", async () => {
    const dir = makeTempDir();
    const stuck = script(dir.path, "stuck", "exec sleep 30");
    const kit = alertKit([{ name: "pager", type: "command", command: [stuck], timeout: "300ms" }]);
    try {
      await kit.finish("x", "fail");
      const began = performance.now();
      await kit.dispatcher.step();
      expect(performance.now() - began).toBeLessThan(10_000);
      expect(kit.attempts()[0]).toMatchObject({
        outcome: "failed",
        error: "still running after 300ms; killed",
      });
      expect(kit.outbox()[0]!.state).toBe("pending");
    } finally {
      await kit.close();
      dir.cleanup();
    }
  });

  test("at the time limit, what the program started is killed too", async () => {
    const dir = makeTempDir();
    const pidFile = join(dir.path, "child.pid");
    const parent = script(dir.path, "parent", `sleep 30 & echo $! > ${pidFile}; wait`);
    const kit = alertKit([{ name: "pager", type: "command", command: [parent], timeout: "300ms" }]);
    try {
      await kit.finish("x", "fail");
      await kit.dispatcher.step();
      expect(kit.attempts()[0]!.error).toBe("still running after 300ms; killed");
      const child = Number(readFileSync(pidFile, "utf8"));
      await waitFor(() => !isAlive(child), { what: "the child to be killed" });
    } finally {
      await kit.close();
      dir.cleanup();
    }
  });

  test("a program that does not exist is a failure to retry, not a crash", async () => {
    const kit = alertKit([{ name: "pager", type: "command", command: ["/nonexistent/page-me"] }]);
    try {
      await kit.finish("x", "fail");
      await kit.dispatcher.step();
      expect(kit.attempts()[0]!.outcome).toBe("failed");
      expect(kit.attempts()[0]!.error).toStartWith("cannot start /nonexistent/page-me");
    } finally {
      await kit.close();
    }
  });
});
