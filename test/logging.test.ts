import { afterEach, describe, expect, test } from "bun:test";
import { join } from "node:path";
import type { ParsedArgs } from "../src/cli/command.ts";
import type { ConfigFile } from "../src/config/config-file.ts";
import { resolveOperationsSettings } from "../src/config/operations-settings.ts";
import { runStatusbox, statusboxCommand } from "./helpers/binary.ts";
import { spawnDaemon, type DaemonProcess } from "./helpers/process-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

const temp = makeTempDir();
const cleanups: (() => Promise<unknown> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

let dbCount = 0;
const freshDb = () => join(temp.path, `log-${++dbCount}.db`);

/** A port that was free a moment ago. */
function freePort(): number {
  const probe = Bun.serve({ port: 0, fetch: () => new Response() });
  const port = probe.port!;
  probe.stop(true);
  return port;
}

/** `statusbox serve` as a process whose stderr is kept, for formats spawnDaemon cannot read. */
function spawnServe(args: string[], env: Record<string, string> = {}) {
  const port = args.includes("--port") ? [] : ["--port", "0"];
  const proc = Bun.spawn([...statusboxCommand(), "serve", ...port, ...args], {
    env: { ...process.env, ...env },
    stdin: "ignore",
    stdout: "pipe",
    stderr: "pipe",
  });
  let stderr = "";
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of proc.stderr) stderr += decoder.decode(chunk, { stream: true });
  })();
  void new Response(proc.stdout).text();
  cleanups.push(async () => {
    proc.kill("SIGTERM");
    await proc.exited;
  });
  return { proc, stderr: () => stderr };
}

async function withRequestLog(args: string[]): Promise<{ daemon: DaemonProcess; key: string }> {
  const daemon = await spawnDaemon(freshDb(), { args });
  cleanups.push(() => daemon.stop());
  return { daemon, key: daemon.firstKey! };
}

describe("log format", () => {
  test("--log-format json writes one JSON object per line with time, level and msg", async () => {
    const serve = spawnServe(["--db", freshDb(), "--log-format", "json", "--log-requests"]);
    const ready = await waitFor(() =>
      serve
        .stderr()
        .split("\n")
        .find((line) => line.includes('"statusbox ready"')),
    );
    const address = JSON.parse(ready).address as string;
    expect((await fetch(`${address}/healthz`)).status).toBe(200);
    await waitFor(() => serve.stderr().includes('"msg":"request"'));

    serve.proc.kill("SIGTERM");
    expect(await serve.proc.exited).toBe(0);
    const lines = serve.stderr().trim().split("\n");
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const line of lines) {
      const entry = JSON.parse(line);
      expect(Number.isNaN(Date.parse(entry.time))).toBe(false);
      expect(["debug", "info", "warn", "error"]).toContain(entry.level);
      expect(typeof entry.msg).toBe("string");
    }
    const request = lines.map((l) => JSON.parse(l)).find((e) => e.msg === "request");
    expect(request).toMatchObject({ method: "GET", path: "/healthz", route: "/healthz" });
    expect(request.status).toBe(200);
  });

  test("text is one readable line per event: time, level, message, key=value", async () => {
    const { daemon } = await withRequestLog([]);
    const ready = daemon
      .log()
      .split("\n")
      .find((line) => line.includes("statusbox ready"))!;
    expect(ready).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z INFO  statusbox ready address=http:\/\//);
  });

  test("--log-level warn leaves out info lines", async () => {
    const port = freePort();
    const serve = spawnServe([
      "--db",
      freshDb(),
      "--port",
      String(port),
      "--log-level",
      "warn",
      "--log-requests",
    ]);
    const url = `http://127.0.0.1:${port}`;
    await waitFor(
      () =>
        fetch(`${url}/healthz`).then(
          (r) => r.ok,
          () => false,
        ),
      { what: "the daemon" },
    );
    expect((await fetch(`${url}/api/jobs`)).status).toBe(401);

    serve.proc.kill("SIGTERM");
    expect(await serve.proc.exited).toBe(0);
    expect(serve.stderr()).toBe("");
  });

  test("a bad --log-format or --log-level is refused with exit code 2", async () => {
    const format = await runStatusbox(["serve", "--db", freshDb(), "--log-format", "xml"]);
    expect(format.code).toBe(2);
    expect(format.stderr).toContain("--log-format must be one of text, json, not 'xml'");
    const level = await runStatusbox(["serve", "--db", freshDb(), "--log-level", "loud"]);
    expect(level.code).toBe(2);
    expect(level.stderr).toContain("--log-level must be one of debug, info, warn, error");
  });
});

describe("request lines", () => {
  test("--log-requests logs method, path, route pattern, status, time and key id", async () => {
    const { daemon, key } = await withRequestLog(["--log-requests"]);
    const headers = { authorization: `ApiKey ${key}`, "content-type": "application/json" };
    const created = await fetch(`${daemon.url}/api/jobs/`, {
      method: "POST",
      headers,
      body: JSON.stringify({ name: "nightly", timeoutSeconds: 60 }),
    });
    const { id } = await created.json();
    await fetch(`${daemon.url}/jobs/${id}`, { headers: { authorization: "ApiKey wrong" } });

    const lines = await waitFor(() => {
      const found = daemon
        .log()
        .split("\n")
        .filter((line) => line.includes(" request "));
      return found.length >= 2 ? found : null;
    });
    expect(lines[0]).toMatch(
      /INFO  request method=POST path=\/api\/jobs\/? route=\/api\/jobs status=200 ms=[\d.]+ key=1$/,
    );
    expect(lines[1]).toMatch(
      new RegExp(`request method=GET path=/jobs/${id} route=/jobs/:id status=401 ms=[\\d.]+$`),
    );
  });

  test("never logs a secret, a header or a body", async () => {
    const { daemon, key } = await withRequestLog(["--log-requests"]);
    const headers = { authorization: `ApiKey ${key}`, "x-token": "HEADER-SECRET" };
    const body = JSON.stringify({ name: "BODY-SECRET", timeoutSeconds: 60 });
    const created = await fetch(`${daemon.url}/api/jobs/?token=QUERY-SECRET`, {
      method: "POST",
      headers,
      body,
    });
    const { id } = await created.json();
    await fetch(`${daemon.url}/jobs/${id}`, {
      method: "POST",
      headers,
      body: JSON.stringify({ message: "LOG-LINE-SECRET" }),
    });
    await fetch(`${daemon.url}/jobs/${id}`, {
      headers: { authorization: "ApiKey sbx_WRONG-SECRET" },
    });
    await waitFor(() => daemon.log().split(" request ").length > 3);

    const log = daemon.log();
    for (const secret of [key, "HEADER-SECRET", "BODY-SECRET", "QUERY-SECRET", "LOG-LINE-SECRET"]) {
      expect(log).not.toContain(secret);
    }
    expect(log).not.toContain("WRONG-SECRET");
  });

  test("without --log-requests there is no line per request", async () => {
    const { daemon } = await withRequestLog([]);
    await fetch(`${daemon.url}/healthz`);
    await fetch(`${daemon.url}/api/jobs`);
    await Bun.sleep(50);
    expect(daemon.log()).not.toContain(" request ");
  });
});

describe("where the log settings come from", () => {
  const args = (values: ParsedArgs["values"] = {}): ParsedArgs => ({ values, positionals: [] });
  const file: ConfigFile = {
    log: { format: "json", level: "warn", requests: true },
    retention: { days: 30, max_events_per_run: 500 },
    metrics: { open_on_loopback: true },
  };
  const saved = { ...process.env };
  afterEach(() => {
    for (const name of Object.keys(process.env)) {
      if (name.startsWith("STATUSBOX_") && !(name in saved)) delete process.env[name];
    }
  });

  test("defaults: text, info, no request lines, 60 days, 10,000 events, metrics need a key", () => {
    expect(resolveOperationsSettings(args(), {})).toEqual({
      log: { format: "text", level: "info", requests: false },
      retention: { days: 60, maxEventsPerRun: 10_000 },
      metricsOpenOnLoopback: false,
    });
  });

  test("the config file's [log], [retention] and [metrics] apply", () => {
    expect(resolveOperationsSettings(args(), file)).toEqual({
      log: { format: "json", level: "warn", requests: true },
      retention: { days: 30, maxEventsPerRun: 500 },
      metricsOpenOnLoopback: true,
    });

    // A small number in the config file reaches the check as String() writes it: 1e-7.
    const tiny = resolveOperationsSettings(args(), { retention: { days: 0.0000001 } });
    expect(tiny.retention.days).toBe(0.0000001);
  });

  test("STATUSBOX_* variables win over the file, flags over both", () => {
    process.env.STATUSBOX_LOG_LEVEL = "debug";
    process.env.STATUSBOX_RETENTION_DAYS = "7";
    process.env.STATUSBOX_LOG_REQUESTS = "false";
    const fromEnv = resolveOperationsSettings(args(), file);
    expect(fromEnv.log).toEqual({ format: "json", level: "debug", requests: false });
    expect(fromEnv.retention.days).toBe(7);

    const flags = args({ "log-level": "error", "retention-days": "2.5", "log-format": "text" });
    const fromFlags = resolveOperationsSettings(flags, file);
    expect(fromFlags.log).toEqual({ format: "text", level: "error", requests: false });
    expect(fromFlags.retention).toEqual({ days: 2.5, maxEventsPerRun: 500 });
  });

  test("bad values name the flag", () => {
    expect(() => resolveOperationsSettings(args({ "retention-days": "0" }), {})).toThrow(
      "--retention-days must be a number greater than 0, not '0'",
    );
    expect(() => resolveOperationsSettings(args({ "max-events-per-run": "1.5" }), {})).toThrow(
      "--max-events-per-run must be a whole number greater than 0",
    );
    process.env.STATUSBOX_LOG_REQUESTS = "maybe";
    expect(() => resolveOperationsSettings(args(), {})).toThrow(
      "STATUSBOX_LOG_REQUESTS must be true or false, not 'maybe'",
    );
  });
});
