import { describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { StatusBoxClient } from "../src/client/index.ts";
import { spawnDaemon } from "./helpers/process-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";
import { spawnStatusbox } from "./helpers/wrapper.ts";

// Each test starts real processes (bun loading the CLI), which is slow on a busy machine.
setDefaultTimeout(30_000);

const KEY = "sbx_wrapper_daemon_down_test_key";

/** A port nothing listens on (it was free a moment ago). */
async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, fetch: () => new Response("") });
  const port = server.port!;
  await server.stop(true);
  return port;
}

/** Shell that prints `before`, waits for the file `go`, prints `after` and exits `code`. */
const waitingScript = (go: string, code: number) => `${waitFile(go)} echo after; exit ${code}`;

/** Shell that prints `before`, then waits for the file `path` to exist. */
const waitFile = (path: string) => `echo before; while [ ! -e '${path}' ]; do sleep 0.05; done;`;

/** Whether run 1 has logged `message` yet. */
async function hasLogged(client: StatusBoxClient, message: string): Promise<boolean> {
  const events = await client.allEvents(1).catch(() => []);
  return events.some((e) => e.message === message);
}

/** The lines of stderr that statusbox run itself wrote. */
const ownLines = (stderr: string) =>
  stderr.split("\n").filter((l) => l.startsWith("statusbox run:"));

describe("statusbox run when the daemon is away", () => {
  test("down at the start: the command runs, its exit code passes, one warning", async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const wrapper = spawnStatusbox(
      [
        "run",
        "--name",
        "unreported",
        "--timeout",
        "60",
        "--",
        "sh",
        "-c",
        "echo out; echo err >&2; exit 7",
      ],
      { env: { STATUSBOX_URL: url, STATUSBOX_API_KEY: KEY } },
    );
    expect(await wrapper.done).toBe(7);
    expect(wrapper.stdout()).toBe("out\n");
    expect(wrapper.stderr()).toBe(
      `statusbox run: cannot reach ${url} (ECONNREFUSED); the command runs without being reported\nerr\n`,
    );
  });

  test("going down midway: the command finishes, its exit code passes, one warning", async () => {
    const dir = makeTempDir();
    const daemon = await spawnDaemon(join(dir.path, "db.sqlite"), {
      env: { STATUSBOX_API_KEY: KEY },
    });
    try {
      const client = new StatusBoxClient({ url: daemon.url, key: KEY });
      const go = join(dir.path, "go");
      const wrapper = spawnStatusbox(
        ["run", "--name", "abandoned", "--timeout", "60", "--", "sh", "-c", waitingScript(go, 4)],
        { env: { STATUSBOX_URL: daemon.url, STATUSBOX_API_KEY: KEY } },
      );
      await waitFor(() => hasLogged(client, "before"), { timeoutMs: 15_000 });

      await daemon.stop("SIGKILL");
      writeFileSync(go, "");
      expect(await wrapper.done).toBe(4);
      expect(wrapper.stdout()).toBe("before\nafter\n");
      const own = ownLines(wrapper.stderr());
      expect(own.length).toBe(1);
      expect(own[0]).toContain(`cannot reach ${daemon.url}`);
    } finally {
      if (daemon.proc.exitCode === null) await daemon.stop("SIGKILL");
      dir.cleanup();
    }
  }, 30_000);

  test("down a while, back before the end: one warning, every line arrives in order", async () => {
    const dir = makeTempDir();
    const db = join(dir.path, "db.sqlite");
    const port = String(await freePort());
    const env = { STATUSBOX_API_KEY: KEY };
    let daemon = await spawnDaemon(db, { env, args: ["--port", port] });
    try {
      const client = new StatusBoxClient({ url: daemon.url, key: KEY });
      const go = join(dir.path, "go");
      const script = `${waitFile(`${go}.down`)} echo during; ${waitFile(go)} echo after`;
      const wrapper = spawnStatusbox(
        ["run", "--name", "resumed", "--timeout", "60", "--", "sh", "-c", script],
        {
          env: { STATUSBOX_URL: daemon.url, STATUSBOX_API_KEY: KEY },
        },
      );
      await waitFor(() => hasLogged(client, "before"), { timeoutMs: 15_000 });

      await daemon.stop("SIGKILL");
      writeFileSync(`${go}.down`, ""); // "during" is printed while nobody listens
      // Long enough down that the wrapper's retries give up and it warns.
      await waitFor(() => ownLines(wrapper.stderr()).length > 0, { timeoutMs: 15_000 });
      daemon = await spawnDaemon(db, { env, args: ["--port", port] });
      writeFileSync(go, "");

      expect(await wrapper.done).toBe(0);
      expect(existsSync(go)).toBe(true);
      const job = await client.get(1);
      expect(job.status).toBe("completed");
      const logs = (await client.allEvents(1))
        .filter((e) => e.kind === "log")
        .map((e) => e.message);
      expect(logs).toEqual(["before", "during", "before", "after"]);
      expect(ownLines(wrapper.stderr())).toEqual([
        `statusbox run: cannot reach ${daemon.url} (ECONNREFUSED); ` +
          "the command goes on, its output may not all be reported",
      ]);
    } finally {
      await daemon.stop("SIGKILL");
      dir.cleanup();
    }
  }, 30_000);
});

describe("statusbox run when the daemon refuses the lines", () => {
  test("the end message counts the lines that were never stored", async () => {
    // A stand-in daemon that creates the run and takes its end, but fails every batch.
    const ends: { path: string; body: { message?: string; exitCode?: number } }[] = [];
    let batches = 0;
    const server = Bun.serve({
      port: 0,
      async fetch(request) {
        const path = new URL(request.url).pathname;
        if (path === "/api/jobs/") return Response.json({ status: "ok", id: 1 });
        if (path.endsWith("/events")) {
          batches++;
          return Response.json(
            { status: "error", error: "disk full", code: "unavailable" },
            { status: 503 },
          );
        }
        ends.push({ path, body: (await request.json()) as (typeof ends)[number]["body"] });
        return new Response(null, { status: 200 });
      },
    });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      const wrapper = spawnStatusbox(
        ["run", "--name", "lossy", "--timeout", "60", "--", "sh", "-c", "echo a; echo b; echo c"],
        { env: { STATUSBOX_URL: url, STATUSBOX_API_KEY: KEY } },
      );
      expect(await wrapper.done).toBe(0);
      expect(batches).toBeGreaterThan(1);
      expect(ends).toEqual([
        {
          path: "/api/jobs/1/complete",
          body: { exitCode: 0, message: "3 output lines were not reported" },
        },
      ]);
      expect(ownLines(wrapper.stderr())).toEqual([
        "statusbox run: disk full (HTTP 503); the command goes on, its output may not all be reported",
      ]);
    } finally {
      await server.stop(true);
    }
  });
});
