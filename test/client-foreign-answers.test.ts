import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { StatusBoxApiError, StatusBoxClient } from "../src/client/index.ts";
import { startReceiver, type HttpReceiver } from "./helpers/http-receiver.ts";

// Something other than the daemon answers at its URL: a proxy's page, another server, a
// stand-in that says 200 to everything. Each test tells it what to answer.
let server: HttpReceiver;
beforeAll(() => {
  server = startReceiver();
});
afterAll(() => server.stop());

const answering = (body: string, status = 200) => server.answer(() => ({ status, body }));
const client = () => new StatusBoxClient({ url: server.url, key: "k", sleep: async () => {} });

/** Every call that reads something from the answer. */
const READING_CALLS: Record<string, (c: StatusBoxClient) => Promise<unknown>> = {
  create: (c) => c.create({ name: "x", timeoutSeconds: 60 }),
  get: (c) => c.get(1),
  list: (c) => c.list(),
  events: (c) => c.events(1),
  allEvents: (c) => c.allEvents(1),
  schedules: (c) => c.schedules(),
  schedule: (c) => c.schedule("x"),
  setSchedule: (c) => c.setSchedule("x", { every: "1h" }),
  names: (c) => c.names(),
};

/** The calls that read nothing from the answer: the daemon's own is empty or `{"status":"ok"}`. */
const UNREADING_CALLS: Record<string, (c: StatusBoxClient) => Promise<unknown>> = {
  log: (c) => c.log(1, "line"),
  logBatch: (c) => c.logBatch(1, ["a", "b"]),
  complete: (c) => c.complete(1),
  end: (c) => c.end(1, "fail", { exitCode: 3 }),
  deleteSchedule: (c) => c.deleteSchedule("x"),
};

/** What each call ended with: "ok", "http_error 200" for an API error, or what else it threw. */
async function outcomes(calls: Record<string, (c: StatusBoxClient) => Promise<unknown>>) {
  const entries = Object.entries(calls).map(async ([name, call]) => {
    try {
      await call(client());
      return [name, "ok"];
    } catch (error) {
      if (error instanceof StatusBoxApiError) return [name, `${error.code} ${error.status}`];
      return [name, String(error)];
    }
  });
  return Object.fromEntries(await Promise.all(entries));
}

const every = (calls: object, outcome: string) =>
  Object.fromEntries(Object.keys(calls).map((name) => [name, outcome]));

async function messageOf(call: Promise<unknown>): Promise<string> {
  const error = await call.then(
    () => new Error("expected the call to throw"),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(StatusBoxApiError);
  return (error as StatusBoxApiError).message;
}

/** A run and an event as the daemon shows them. */
const JOB = {
  id: 1,
  name: "x",
  version: null,
  status: "completed",
  timeoutSeconds: 60,
  createdAt: "2026-01-01T00:00:00.000Z",
  deadlineAt: "2026-01-01T00:01:00.000Z",
  finishedAt: "2026-01-01T00:00:01.000Z",
  durationMs: 1000,
  reportedEndAt: null,
  reportedDurationMs: null,
  exitCode: 0,
  message: null,
  eventCount: 2,
};

const EVENT = {
  id: 1,
  jobId: 1,
  at: "2026-01-01T00:00:00.500Z",
  kind: "log",
  message: "hello",
  truncated: false,
  stream: "stdout",
};

const WRONG_TYPES = {
  status: "ok",
  id: "7",
  job: "x",
  jobs: {},
  next: "x",
  events: null,
  schedules: "x",
  schedule: [],
  names: 1,
};

const NOT_OURS: Record<string, string> = {
  "an HTML page": "<html>Welcome to nginx!</html>",
  "an empty body": "",
  'only {"status":"ok"}': '{"status":"ok"}',
  "fields of the wrong type": JSON.stringify(WRONG_TYPES),
  "JSON that is not an object": "[1, 2, 3]",
};

describe("a 2xx answer that is not StatusBox's JSON", () => {
  for (const [what, body] of Object.entries(NOT_OURS)) {
    test(`${what}: every call that reads the answer throws an http_error`, async () => {
      answering(body);
      expect(await outcomes(READING_CALLS)).toEqual(every(READING_CALLS, "http_error 200"));
    });
  }

  test("an HTML page to a call that reads nothing is an http_error too", async () => {
    answering("<html>maintenance</html>");
    expect(await outcomes(UNREADING_CALLS)).toEqual(every(UNREADING_CALLS, "http_error 200"));
  });

  test("an empty body or any JSON is enough for a call that reads nothing", async () => {
    answering("");
    expect(await outcomes(UNREADING_CALLS)).toEqual(every(UNREADING_CALLS, "ok"));
    answering('{"status":"ok"}');
    expect(await outcomes(UNREADING_CALLS)).toEqual(every(UNREADING_CALLS, "ok"));
  });

  test("the message names the status line and, for JSON, the first field amiss", async () => {
    answering("<html>Welcome to nginx!</html>");
    expect(await messageOf(client().create({ name: "x", timeoutSeconds: 60 }))).toBe(
      "HTTP 200 OK, but the answer is not StatusBox's JSON",
    );
    answering('{"status":"ok"}', 201);
    expect(await messageOf(client().create({ name: "x", timeoutSeconds: 60 }))).toBe(
      "HTTP 201 Created, but the answer is not StatusBox's JSON (no valid id)",
    );
    answering(JSON.stringify({ status: "ok", events: [EVENT, { ...EVENT, message: 5 }] }));
    expect(await messageOf(client().events(1))).toBe(
      "HTTP 200 OK, but the answer is not StatusBox's JSON (no valid events[1].message)",
    );
  });

  test("a run id must be a positive integer", async () => {
    for (const id of [0, -3, 1.5, "12", null]) {
      answering(JSON.stringify({ status: "ok", id }));
      expect(await outcomes({ create: READING_CALLS.create! })).toEqual({
        create: "http_error 200",
      });
    }
    answering(JSON.stringify({ status: "ok", id: 12 }));
    expect(await client().create({ name: "x", timeoutSeconds: 60 })).toBe(12);
  });

  test("a job with one field of the wrong type is refused, a field it does not know is kept", async () => {
    answering(JSON.stringify({ status: "ok", job: { ...JOB, status: "unknown" } }));
    expect(await messageOf(client().get(1))).toEndWith("(no valid job.status)");
    answering(JSON.stringify({ status: "ok", job: { ...JOB, durationMs: "1s" } }));
    expect(await messageOf(client().get(1))).toEndWith("(no valid job.durationMs)");

    const later = { ...JOB, addedLater: true };
    answering(JSON.stringify({ status: "ok", job: later }));
    const job: object = await client().get(1);
    expect(job).toEqual(later);
  });

  test("such an answer is not retried: a create may have been stored", async () => {
    answering("<html>Welcome to nginx!</html>");
    const before = server.requests.length;
    await outcomes({ create: READING_CALLS.create!, get: READING_CALLS.get! });
    expect(server.requests.length - before).toBe(2);
  });

  test("allEvents stops on a server that answers the same full page again", async () => {
    const page = Array.from({ length: 1000 }, (_, i) => ({ ...EVENT, id: i + 1 }));
    answering(JSON.stringify({ status: "ok", events: page }));
    expect(await messageOf(client().allEvents(1))).toBe(
      "HTTP 200, but the events after id 1000 include older ones: not StatusBox's answer",
    );
    expect(server.requests.at(-1)?.path).toContain("after=1000");
  });

  test("a redirect is not followed (it would turn a POST into a GET and drop the key)", async () => {
    const target = startReceiver();
    try {
      server.answer(() => ({ status: 302, headers: { location: `${target.url}/api/jobs` } }));
      const create = client().create({ name: "x", timeoutSeconds: 60 });
      expect(await messageOf(create)).toBe(`HTTP 302 Found to ${target.url}/api/jobs`);
      expect(target.requests).toHaveLength(0);
    } finally {
      await target.stop();
    }
  });

  test("an endless answer is refused as it arrives: over 1 MiB to a write, 128 MiB to a read", async () => {
    const chunk = new Uint8Array(1024 * 1024).fill(0x20);
    let sent = 0;
    const endless = Bun.serve({
      port: 0,
      fetch: () =>
        new Response(
          new ReadableStream({
            pull(controller) {
              sent += chunk.byteLength;
              controller.enqueue(chunk);
            },
          }),
        ),
    });
    try {
      const endlessClient = new StatusBoxClient({ url: `http://127.0.0.1:${endless.port}` });
      const create = endlessClient.create({ name: "x", timeoutSeconds: 60 });
      expect(await messageOf(create)).toBe(
        "HTTP 200 OK, but the answer is over 1 MiB: not StatusBox's",
      );
      // It stopped reading at the limit: what was sent past it is what was in flight.
      expect(sent).toBeLessThan(32 * 1024 * 1024);

      sent = 0;
      expect(await messageOf(endlessClient.get(1))).toBe(
        "HTTP 200 OK, but the answer is over 128 MiB: not StatusBox's",
      );
      expect(sent).toBeLessThan(160 * 1024 * 1024);
    } finally {
      endless.stop(true);
    }
  });
});
