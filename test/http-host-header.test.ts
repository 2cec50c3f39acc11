import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startDaemon, type Daemon } from "../src/daemon.ts";
import { silentLogger } from "../src/log/logger.ts";
import { startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";
import { RawConnection, type RawResponse } from "./helpers/raw-http.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

/** Sends `head` (request line and headers, no Host unless given) and reads the answer. */
async function send(url: string, head: string[], body = ""): Promise<RawResponse> {
  const connection = await RawConnection.open(url);
  const length = body === "" ? [] : [`Content-Length: ${Buffer.byteLength(body)}`];
  connection.write(`${[...head, ...length].join("\r\n")}\r\n\r\n${body}`);
  const response = await connection.response();
  connection.destroy();
  if (!response) throw new Error(`no answer to ${head[0]}`);
  return response;
}

// A bare health check (HTTP/1.0, no headers at all) and clients with a broken Host header:
// Bun gives such a request a URL of its path alone, which the router must still read whole.
describe("requests without a usable Host header", () => {
  let daemon: TestDaemon;
  beforeAll(async () => {
    daemon = await startTestDaemon();
  });
  afterAll(() => daemon.close());

  const auth = () => `Authorization: ApiKey ${daemon.key}`;

  test("GET /healthz over HTTP/1.0 with no headers answers 200 without a key", async () => {
    const response = await send(daemon.url, ["GET /healthz HTTP/1.0"]);
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: "ok" });
  });

  for (const host of ["Host:", "Host: a b", "Host: x/y"]) {
    test(`'${host}' reaches the same routes, with their queries`, async () => {
      expect((await send(daemon.url, ["GET /healthz HTTP/1.1", host])).status).toBe(200);

      const body = JSON.stringify({ name: "no-host", timeoutSeconds: 60 });
      const created = await send(daemon.url, ["POST /api/jobs/ HTTP/1.1", host, auth()], body);
      expect(created.status).toBe(200);
      const { id } = JSON.parse(created.body) as { id: number };
      const ended = await send(daemon.url, [`POST /jobs/${id}/complete HTTP/1.1`, host, auth()]);
      expect(ended.status).toBe(200);

      const listed = await send(daemon.url, ["GET /api/jobs?limit=1 HTTP/1.1", host, auth()]);
      const page = JSON.parse(listed.body) as { jobs: { id: number; status: string }[] };
      expect(page.jobs).toEqual([expect.objectContaining({ id, status: "completed" })]);
      const names = await send(daemon.url, ["GET /api/names HTTP/1.1", host, auth()]);
      expect(names.status).toBe(200);
    });
  }
});

describe("/metrics open on loopback", () => {
  let daemon: Daemon;
  const dir = makeTempDir();
  beforeAll(async () => {
    const options = { host: "127.0.0.1", port: 0, logger: silentLogger };
    daemon = await startDaemon({
      ...options,
      dbPath: `${dir.path}/statusbox.db`,
      metricsOpenOnLoopback: true,
    });
  });
  afterAll(async () => {
    await daemon.stop();
    dir.cleanup();
  });

  test("still knows a client without a Host header is on loopback", async () => {
    const response = await send(daemon.url, ["GET /metrics HTTP/1.0"]);
    expect(response.status).toBe(200);
    expect(response.body).toContain("statusbox_runs_running");
  });
});
