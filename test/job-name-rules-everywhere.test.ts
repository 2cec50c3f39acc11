import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { runCli } from "../src/cli/main.ts";
import { jobNameProblem } from "../src/domain/job-name.ts";
import { startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon();
});
afterAll(() => daemon.close());

/** The command line in-process; every case here is refused before any request is sent. */
async function cli(...argv: string[]) {
  let stderr = "";
  const code = await runCli(argv, { stdout: () => {}, stderr: (text) => void (stderr += text) });
  return { code, firstLine: stderr.split("\n")[0]! };
}

const BAD_NAMES: [string, string, string][] = [
  ["empty", "", "must not be empty"],
  ["blank", "   ", "must not be only white space"],
  ["with a tab", "nightly\tbackup", "must not contain control characters"],
  ["with an escape sequence", "\u001b[2Jbackup", "must not contain control characters"],
  ["65 letters", "я".repeat(65), "must be at most 64 characters"],
];

describe("a job name is refused by the same rules wherever it comes in", () => {
  for (const [what, name, rule] of BAD_NAMES) {
    test(`${what}: job start and run refuse it as a usage error, before any request`, async () => {
      for (const command of [["job", "start"], ["run"]]) {
        const tail = command[0] === "run" ? ["--", "true"] : [];
        // No daemon listens on this port: a request would be a connection error, not exit 2.
        const url = "--url=http://127.0.0.1:1";
        const result = await cli(...command, url, `--name=${name}`, "--timeout", "60", ...tail);
        expect(result.code).toBe(2);
        expect(result.firstLine).toStartWith(`statusbox ${command.join(" ")}: --name ${rule}`);
      }
    });

    test(`${what}: the API refuses it for a run and for a schedule, with the same rule`, async () => {
      const run = await daemon.post("/api/jobs/", { name, timeoutSeconds: 60 });
      expect(run.status).toBe(400);
      expect(((await run.json()) as { error: string }).error).toStartWith(`name ${rule}`);
      if (name === "") return; // an empty schedule name is a path without a name: a 404
      const schedule = await daemon.request(`/api/schedules/${encodeURIComponent(name)}`, {
        method: "PUT",
        body: JSON.stringify({ every: "1h" }),
      });
      expect(schedule.status).toBe(400);
      expect(((await schedule.json()) as { error: string }).error).toContain(rule);
    });
  }

  test("a fine name passes everywhere, spaces and emoji included", async () => {
    expect(jobNameProblem("nightly backup 🌙")).toBeNull();
    expect(jobNameProblem("я".repeat(64))).toBeNull();
  });
});
