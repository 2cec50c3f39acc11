import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { statusboxCommand } from "./helpers/binary.ts";
import { tempDirsPerTest } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

const tempDir = tempDirsPerTest();
const KEY = "sbx_broken_output_test_key_0123";
const quoted = (words: string[]) => words.map((w) => `'${w.replaceAll("'", `'\\''`)}'`).join(" ");
const statusbox = quoted(statusboxCommand());

/** Runs a bash line; answers what it printed on stdout. */
async function bash(line: string): Promise<string> {
  const proc = Bun.spawn(["bash", "-c", line], { stdout: "pipe", stderr: "pipe" });
  const [out] = await Promise.all([new Response(proc.stdout).text(), proc.exited]);
  return out;
}

describe("output that cannot be written", () => {
  test("the daemon whose log reader went away goes on serving and timing runs out", async () => {
    const dir = tempDir();
    const port = 19_800 + Math.floor(Math.random() * 150);
    const fifo = join(dir, "log.fifo");
    // The log goes into a FIFO read by a `head` that quits after the first line (the ready
    // line comes later): every log line after that meets a closed pipe.
    const script = join(dir, "serve.sh");
    writeFileSync(
      script,
      `mkfifo '${fifo}'\nhead -c 1 '${fifo}' > /dev/null &\n` +
        `STATUSBOX_API_KEY=${KEY} exec ${statusbox} serve --port ${port} ` +
        `--db '${join(dir, "s.db")}' 2>'${fifo}'\n`,
    );
    const daemon = Bun.spawn(["bash", script], { stdout: "ignore", stderr: "ignore" });
    const url = `http://127.0.0.1:${port}`;
    const headers = { authorization: `ApiKey ${KEY}`, "content-type": "application/json" };
    try {
      await waitFor(async () => (await fetch(`${url}/healthz`).catch(() => null))?.ok, {
        timeoutMs: 10_000,
        what: "the daemon to answer",
      });
      const created = await fetch(`${url}/api/jobs`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name: "short", timeoutSeconds: 0.2 }),
      });
      const { id } = await created.json();
      // Its time-out is logged into the closed pipe; the daemon must still be there after.
      const status = async () =>
        (await (await fetch(`${url}/api/jobs/${id}`, { headers })).json()).job.status;
      await waitFor(async () => (await status()) === "timed_out", { timeoutMs: 5_000 });
      await Bun.sleep(300);
      expect(daemon.exitCode).toBeNull();
      expect((await fetch(`${url}/healthz`)).status).toBe(200);
    } finally {
      daemon.kill("SIGTERM");
      await daemon.exited;
    }
  }, 30_000);

  test("a command that failed keeps its exit code when its reader went away", async () => {
    const dir = tempDir();
    const notADb = join(dir, "notes.txt");
    writeFileSync(notADb, "not a database\n".repeat(100));
    const line = `${statusbox} keys list --db '${notADb}' 2>&1 | true; echo "\${PIPESTATUS[0]}"`;
    expect((await bash(line)).trim()).toBe("1");
  });

  test("a command that succeeded exits 0 when its reader stops early (| head)", async () => {
    const line = `${statusbox} --help | head -c 1 > /dev/null; echo "\${PIPESTATUS[0]}"`;
    expect((await bash(line)).trim()).toBe("0");
  });
});
