import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  StatusBoxApiError,
  StatusBoxClient,
  StatusBoxConnectionError,
} from "../src/client/index.ts";
import { backoffDelay, DEFAULT_RETRY } from "../src/client/retry.ts";
import { startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";

let daemon: TestDaemon;
let client: StatusBoxClient;
beforeAll(async () => {
  daemon = await startTestDaemon();
  client = new StatusBoxClient({ url: daemon.url, key: daemon.key });
});
afterAll(() => daemon.close());

/** A fetch that fails the first calls as told, then asks the real daemon; counts every call. */
function flakyFetch(failures: (() => Response | never)[]) {
  const calls: string[] = [];
  const fetchFn = async (input: string, init: RequestInit) => {
    calls.push(`${init.method} ${new URL(input).pathname}`);
    const fail = failures.shift();
    if (fail) return fail();
    return fetch(input, init);
  };
  return { calls, fetchFn };
}

const noSleep = async () => {};
const reset = () => {
  throw Object.assign(new TypeError("socket closed"), { code: "ECONNRESET" });
};

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the call to throw");
}

describe("StatusBoxClient against a real daemon", () => {
  test("creates, logs, batch-logs, ends and reads a run", async () => {
    const id = await client.create({ name: "nightly backup", timeoutSeconds: 60, version: "2.1" });
    await client.log(id, "starting");
    const stored = await client.logBatch(id, ["one", { message: "two", stream: "stderr" }]);
    await client.complete(id, { message: "all good", exitCode: 0 });

    expect(stored).toBe(2);
    const job = await client.get(id);
    expect(job).toMatchObject({ id, name: "nightly backup", version: "2.1", status: "completed" });
    expect(job).toMatchObject({ exitCode: 0, message: "all good" });
    const logs = (await client.allEvents(id)).filter((e) => e.kind === "log");
    expect(logs.map((e) => [e.message, e.stream])).toEqual([
      ["starting", null],
      ["one", null],
      ["two", "stderr"],
    ]);
    const { jobs } = await client.list({ name: "nightly backup" });
    expect(jobs.map((j) => j.id)).toEqual([id]);
  });

  test("splits messages over 16 KiB and sends a big batch in order in parts", async () => {
    const id = await client.create({ name: "chatty", timeoutSeconds: 60 });
    const long = "é".repeat(20_000);
    await client.log(id, long);
    const lines = Array.from({ length: 2500 }, (_, i) => `line ${i}`);
    expect(await client.logBatch(id, lines)).toBe(2500);

    const logs = (await client.allEvents(id)).filter((e) => e.kind === "log");
    expect(logs.slice(0, 3).map((e) => e.truncated)).toEqual([false, false, false]);
    expect(
      logs
        .slice(0, 3)
        .map((e) => e.message)
        .join(""),
    ).toBe(long);
    expect(logs.slice(3).map((e) => e.message)).toEqual(lines);
  });

  test("its errors carry the HTTP status, the code and the daemon's message", async () => {
    const missing = await caught(client.get(424242));
    expect(missing).toBeInstanceOf(StatusBoxApiError);
    expect(missing).toMatchObject({
      status: 404,
      code: "not_found",
      message: "no job with id 424242",
    });

    const id = await client.create({ name: "x", timeoutSeconds: 60 });
    await client.complete(id);
    const refused = (await caught(client.fail(id))) as StatusBoxApiError;
    expect(refused).toMatchObject({ status: 409, code: "conflict" });
    expect(refused.message).toBe(`job ${id} is already completed; fail refused`);
    expect(refused.jobStatus).toBe("completed");

    const invalid = await caught(client.create({ name: "", timeoutSeconds: 60 }));
    expect(invalid).toMatchObject({ status: 400, message: "name must not be empty" });

    const anonymous = new StatusBoxClient({ url: daemon.url, key: "sbx_wrong" });
    expect(await caught(anonymous.get(id))).toMatchObject({ status: 401, code: "unauthorized" });
  });

  test("sets, reads and deletes a schedule, and reads the view by name", async () => {
    const id = await client.create({ name: "hourly", timeoutSeconds: 60 });
    await client.complete(id, { exitCode: 0 });
    const set = await client.setSchedule("hourly", { every: "1h", grace: "10m" });
    expect(set).toMatchObject({ name: "hourly", cron: null, every: "1h", grace: "10m" });
    expect(await client.schedule("hourly")).toEqual(set);
    expect((await client.schedules()).map((s) => s.name)).toContain("hourly");

    const { names } = await client.names({ limit: 1000 });
    const row = names.find((n) => n.name === "hourly");
    expect(row).toMatchObject({ lastRun: { id, status: "completed" }, lastSuccess: { id } });
    expect(row?.schedule).toEqual(set);
    await client.deleteSchedule("hourly");
    expect(await client.schedules()).not.toContainEqual(set);
  });

  test("a repeated end signal succeeds, so retrying it is safe", async () => {
    const id = await client.create({ name: "x", timeoutSeconds: 60 });
    await client.fail(id, { exitCode: 3 });
    await client.fail(id, { exitCode: 3 });
    expect((await client.get(id)).status).toBe("failed");
  });
});

describe("StatusBoxClient retries", () => {
  test("retries 5xx answers with backoff, then succeeds", async () => {
    const busy = () =>
      new Response('{"status":"error","error":"db locked","code":"unavailable"}', {
        status: 503,
      });
    const { calls, fetchFn } = flakyFetch([busy, busy]);
    const waits: number[] = [];
    const flaky = new StatusBoxClient({
      url: daemon.url,
      key: daemon.key,
      fetch: fetchFn,
      sleep: async (ms) => void waits.push(ms),
    });

    const id = await flaky.create({ name: "retried", timeoutSeconds: 60 });
    expect((await flaky.get(id)).name).toBe("retried");
    expect(calls.slice(0, 3)).toEqual(["POST /api/jobs/", "POST /api/jobs/", "POST /api/jobs/"]);
    expect(waits.length).toBe(2);
    expect(waits[1]!).toBeGreaterThanOrEqual(DEFAULT_RETRY.baseDelayMs);
  });

  test("waits at least what Retry-After asks", async () => {
    const busy = () => new Response("{}", { status: 503, headers: { "retry-after": "2" } });
    const { fetchFn } = flakyFetch([busy]);
    const waits: number[] = [];
    const flaky = new StatusBoxClient({
      url: daemon.url,
      key: daemon.key,
      fetch: fetchFn,
      sleep: async (ms) => void waits.push(ms),
    });
    await flaky.create({ name: "x", timeoutSeconds: 60 });
    expect(waits).toEqual([2000]);
  });

  test("does not retry 4xx answers", async () => {
    const { calls, fetchFn } = flakyFetch([]);
    const strict = new StatusBoxClient({ url: daemon.url, key: daemon.key, fetch: fetchFn });
    await caught(strict.get(999_999));
    expect(calls.length).toBe(1);
  });

  test("retries an end signal after a broken connection but never a create", async () => {
    const id = await client.create({ name: "x", timeoutSeconds: 60 });
    const ending = flakyFetch([reset, reset]);
    const ender = new StatusBoxClient({
      url: daemon.url,
      key: daemon.key,
      fetch: ending.fetchFn,
      sleep: noSleep,
    });
    await ender.complete(id);
    expect(ending.calls.length).toBe(3);
    expect((await client.get(id)).status).toBe("completed");

    // The first create may have been stored before the connection broke: a retry could
    // create a second run, so the error goes to the caller instead.
    const creating = flakyFetch([reset]);
    const creator = new StatusBoxClient({
      url: daemon.url,
      key: daemon.key,
      fetch: creating.fetchFn,
      sleep: noSleep,
    });
    const error = await caught(creator.create({ name: "x", timeoutSeconds: 60 }));
    expect(error).toBeInstanceOf(StatusBoxConnectionError);
    expect((error as StatusBoxConnectionError).delivered).toBe(true);
    expect(creating.calls.length).toBe(1);
  });

  test("a batch whose answer was lost is retried and still stored once", async () => {
    const id = await client.create({ name: "x", timeoutSeconds: 60 });
    let calls = 0;
    const lossy = new StatusBoxClient({
      url: daemon.url,
      key: daemon.key,
      sleep: noSleep,
      fetch: async (input, init) => {
        const answer = await fetch(input, init);
        if (++calls === 1) reset(); // stored by the daemon, but the answer never arrives
        return answer;
      },
    });

    await lossy.logBatch(id, ["only once", "me too"]);
    await lossy.log(id, "single");

    expect(calls).toBe(3);
    const logs = (await client.allEvents(id)).filter((e) => e.kind === "log");
    expect(logs.map((e) => e.message)).toEqual(["only once", "me too", "single"]);
  });

  test("a call whose signal is aborted stops retrying", async () => {
    const controller = new AbortController();
    let calls = 0;
    const stuck = new StatusBoxClient({
      url: daemon.url,
      sleep: noSleep,
      fetch: async () => {
        calls++;
        controller.abort();
        return reset();
      },
    });
    const error = await caught(stuck.logBatch(1, ["x"], { signal: controller.signal }));
    expect(error).toBeInstanceOf(StatusBoxConnectionError);
    expect(calls).toBe(1);
  });

  test("a call's own timeout replaces the client's; null waits as long as its signal", async () => {
    // A server that answers after 300 ms, to a client that waits 50 ms per attempt.
    const server = Bun.serve({
      port: 0,
      fetch: async () => {
        await Bun.sleep(300);
        return Response.json({ status: "ok", id: 7 });
      },
    });
    try {
      const url = `http://127.0.0.1:${server.port}`;
      const slow = new StatusBoxClient({ url, key: "k", timeoutMs: 50, sleep: noSleep });
      const job = { name: "x", timeoutSeconds: 60 };
      const error = (await caught(slow.create(job, { retries: 0 }))) as Error;
      expect(error.message).toBe(`no answer from ${url} in time`);
      expect(await slow.create(job, { retries: 0, timeoutMs: null })).toBe(7);
      expect(await slow.create(job, { retries: 0, timeoutMs: 2000 })).toBe(7);
    } finally {
      await server.stop(true);
    }
  });

  test("gives up on an unreachable daemon after its retries, naming the URL", async () => {
    const server = Bun.serve({ port: 0, fetch: () => new Response("") });
    const url = `http://127.0.0.1:${server.port}`;
    await server.stop(true);

    let attempts = 0;
    const down = new StatusBoxClient({
      url,
      key: "k",
      retry: { retries: 3 },
      sleep: noSleep,
      fetch: (input, init) => {
        attempts++;
        return fetch(input, init);
      },
    });
    const error = (await caught(down.create({ name: "x", timeoutSeconds: 60 }))) as Error;
    expect(error).toBeInstanceOf(StatusBoxConnectionError);
    expect(error.message).toBe(`cannot reach ${url} (ECONNREFUSED)`);
    expect((error as StatusBoxConnectionError).delivered).toBe(false);
    expect(attempts).toBe(4);
  });

  test("an error page that is not ours still gives its status", async () => {
    const html = () =>
      new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" });
    const { fetchFn } = flakyFetch([html, html, html, html, html]);
    const proxied = new StatusBoxClient({ url: daemon.url, fetch: fetchFn, sleep: noSleep });
    const error = await caught(proxied.get(1));
    expect(error).toMatchObject({
      status: 502,
      code: "http_error",
      message: "HTTP 502 Bad Gateway",
    });
  });

  test("backoff doubles from the base up to the cap", () => {
    const options = { retries: 10, baseDelayMs: 100, maxDelayMs: 1000 };
    const ceilings = [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, options, () => 1));
    expect(ceilings).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoffDelay(3, options, () => 0)).toBe(200);
  });
});
