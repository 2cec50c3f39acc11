import { afterAll, afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { createLogger } from "../src/log/logger.ts";
import { spawnCapturedDaemon, type CapturedDaemon } from "./helpers/captured-daemon.ts";
import { startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";
import { parsePrometheus, sampleValue } from "./helpers/prometheus.ts";
import { httpRequest, RawConnection } from "./helpers/raw-http.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

const temp = makeTempDir();
afterAll(() => temp.cleanup());

let daemon: TestDaemon | null = null;
let served: CapturedDaemon | null = null;
afterEach(async () => {
  await daemon?.close();
  await served?.stop("SIGKILL");
  daemon = served = null;
});

const KEY = "sbx_client_went_away_test_key_0123456789";
const BODY = JSON.stringify({ name: "backup", timeoutSeconds: 60 });

/** A create whose headers promise the whole body but which sends only its first bytes. */
async function stalledCreate(url: string, key: string): Promise<RawConnection> {
  const connection = await RawConnection.open(url);
  const headers = { Authorization: `ApiKey ${key}`, "Content-Length": String(BODY.length) };
  connection.write(httpRequest("POST", "/api/jobs/", headers, BODY.slice(0, 5)));
  return connection;
}

/** The JSON log lines of a daemon started with `--log-format json`; throws on any other. */
function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}

/** `statusbox serve --log-format json` with a known key, so that stdout stays empty. */
async function serveJson(name: string): Promise<CapturedDaemon> {
  const args = ["--log-format", "json", "--log-level", "debug", "--log-requests"];
  return spawnCapturedDaemon(join(temp.path, name), { args, env: { STATUSBOX_API_KEY: KEY } });
}

describe("a client that goes away mid-request", () => {
  test("is counted as 499, not as a 5xx, and logged as one debug line, not an error", async () => {
    const lines: string[] = [];
    const logger = createLogger({ level: "debug", format: "json", write: (l) => lines.push(l) });
    daemon = await startTestDaemon({ logger });

    const connection = await stalledCreate(daemon.url, daemon.key);
    await Bun.sleep(200);
    connection.destroy();
    const logged = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    await waitFor(() => logged().some((entry) => entry.msg === "client went away"));

    const metrics = parsePrometheus(await (await daemon.request("/metrics")).text());
    const count = (status: string) =>
      sampleValue(metrics, "statusbox_http_requests_total", {
        method: "POST",
        route: "/api/jobs",
        status,
      });
    expect(count("499")).toBe(1);
    expect(count("500")).toBeUndefined();
    const gone = logged().filter((entry) => entry.msg === "client went away");
    expect(gone).toEqual([expect.objectContaining({ level: "debug", method: "POST" })]);
    expect(logged().filter((entry) => entry.level === "error")).toEqual([]);
    expect(daemon.db.query("SELECT count(*) AS n FROM runs").get()).toEqual({ n: 0 });
  });

  test("SIGTERM while a request is stalled mid-body stops cleanly, with no error logged", async () => {
    served = await serveJson("sigterm.db");
    await stalledCreate(served.url, KEY);
    await Bun.sleep(300); // the route is now waiting for the rest of the body

    expect(await served.stop("SIGTERM")).toBe(0);
    const entries = jsonLines(served.stderr());
    expect(entries.filter((entry) => entry.level === "error")).toEqual([]);
    expect(entries.filter((entry) => entry.msg === "client went away")).toHaveLength(1);
    const requests = entries.filter((entry) => entry.msg === "request");
    expect(requests).toEqual([expect.objectContaining({ method: "POST", status: 499 })]);
  });
});

describe("the idle timeout", () => {
  test("a request stalled past it leaves a JSON log all JSON, on stderr and stdout", async () => {
    served = await serveJson("idle.db");
    const connection = await stalledCreate(served.url, KEY);

    // Bun closes the connection after 10 s of silence, checked every few seconds.
    expect(await connection.waitClosed(20_000)).toBe(true);
    await waitFor(() => served!.stderr().includes('"status":499'));
    expect(await served.stop("SIGTERM")).toBe(0);

    const entries = jsonLines(served.stderr());
    expect(jsonLines(served.stdout())).toEqual([]);
    expect(entries.filter((entry) => entry.level === "error")).toEqual([]);
    expect(entries.map((entry) => entry.msg)).toContain("client went away");
  }, 30_000);
});
