import { afterEach, beforeEach, describe, expect, setDefaultTimeout, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { startReceiver, type HttpReceiver } from "./helpers/http-receiver.ts";
import { tempDirsPerTest } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";
import { spawnStatusbox } from "./helpers/wrapper.ts";

// Each test starts real processes (bun loading the CLI), which is slow on a busy machine.
setDefaultTimeout(30_000);

// Something other than the daemon answers 200 at its URL (a proxy's page, another server).
let server: HttpReceiver;
beforeEach(() => {
  server = startReceiver();
});
afterEach(() => server.stop());
const tempDir = tempDirsPerTest();

/** `statusbox run` of a shell script against `server`. */
const wrap = (script: string) =>
  spawnStatusbox(["run", "--name", "proxied", "--timeout", "60", "--", "sh", "-c", script], {
    env: { STATUSBOX_URL: server.url, STATUSBOX_API_KEY: "k" },
  });

/** The lines of stderr that statusbox run itself wrote. */
const ownLines = (stderr: string) =>
  stderr.split("\n").filter((l) => l.startsWith("statusbox run:"));

const NOT_OURS = "HTTP 200 OK, but the answer is not StatusBox's JSON";
const ASK = "is the URL the StatusBox daemon's?";

const CREATE_ANSWERS: Record<string, string> = {
  "an HTML page": "<html>Welcome to nginx!</html>",
  "an empty body": "",
  'only {"status":"ok"}': '{"status":"ok"}',
  "an id of the wrong type": '{"status":"ok","id":"1"}',
};

describe("statusbox run when something else answers 200 at the daemon's URL", () => {
  for (const [what, body] of Object.entries(CREATE_ANSWERS)) {
    test(`${what} to the create: the command runs, its exit code passes, one warning`, async () => {
      server.answer(() => ({ status: 200, body }));
      const ran = join(tempDir(), "ran");
      const wrapper = wrap(`touch '${ran}'; echo out; echo err >&2; exit 7`);

      expect(await wrapper.done).toBe(7);
      expect(existsSync(ran)).toBe(true);
      expect(wrapper.stdout()).toBe("out\n");
      const detail = body.startsWith("{") ? " (no valid id)" : "";
      expect(wrapper.stderr()).toBe(
        `statusbox run: ${NOT_OURS}${detail}; ${ASK}; the command runs without being reported\n` +
          "err\n",
      );
    });
  }

  test("a proxy that starts answering its page midway: one warning, the exit code passes", async () => {
    // The daemon creates the run; then a maintenance page answers every batch and the end.
    const go = join(tempDir(), "go");
    server.answer((request) => {
      if (request.path === "/api/jobs/") return { status: 200, body: '{"status":"ok","id":1}' };
      if (existsSync(go)) return { status: 200, body: "<html>maintenance</html>" };
      return { status: 200, body: '{"status":"ok","stored":1}' };
    });
    const script = `echo before; while [ ! -e '${go}' ]; do sleep 0.05; done; echo after; exit 5`;
    const wrapper = wrap(script);
    const batchSent = () => server.requests.some((r) => r.path === "/api/jobs/1/events");
    await waitFor(batchSent, { timeoutMs: 15_000, what: "the first batch" });
    await Bun.write(go, "");

    expect(await wrapper.done).toBe(5);
    expect(wrapper.stdout()).toBe("before\nafter\n");
    expect(ownLines(wrapper.stderr())).toEqual([
      `statusbox run: ${NOT_OURS}; ${ASK}; the command goes on, its output may not all be reported`,
    ]);
    expect(wrapper.stderr()).not.toContain("    at ");
    expect(server.requests.map((r) => r.path)).toContain("/api/jobs/1/fail");
  });

  test("a 409 whose jobStatus holds escape sequences is shown escaped", async () => {
    server.answer((request) =>
      request.path.endsWith("/fail")
        ? {
            status: 409,
            body: JSON.stringify({
              status: "error",
              code: "conflict",
              error: "refused",
              jobStatus: "\u001b[2J\u001b[31mHACK\u0007",
            }),
          }
        : {
            status: 200,
            body: /\/api\/jobs\/?$/.test(request.path) ? '{"status":"ok","id":7}' : "",
          },
    );
    const wrapper = wrap("exit 3");
    expect(await wrapper.done).toBe(3);
    expect(ownLines(wrapper.stderr())).toEqual([
      // Colour (SGR) sequences are dropped, every other control shown as an escape.
      "statusbox run: run 7 was already \\x1b[2JHACK\\x07; its end was recorded",
    ]);
  });
});
