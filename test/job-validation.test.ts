import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createRun, startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon();
});
afterAll(() => daemon.close());

const runCount = () => (daemon.db.query("SELECT count(*) AS n FROM runs").get() as { n: number }).n;

const GOOD_CREATES: [string, unknown][] = [
  ["the minimal body", { name: "a", timeoutSeconds: 1 }],
  ["a fractional timeout", { name: "a", timeoutSeconds: 0.25 }],
  ["the longest timeout (366 days)", { name: "a", timeoutSeconds: 31_622_400 }],
  ["64 Cyrillic characters", { name: "ж".repeat(64), timeoutSeconds: 1 }],
  ["64 emoji", { name: "🚀".repeat(64), timeoutSeconds: 1 }],
  ["a 64-character version", { name: "a", timeoutSeconds: 1, version: "v".repeat(64) }],
  ["unknown fields", { name: "a", timeoutSeconds: 1, owner: "ops", tags: [1] }],
];

const BAD_CREATES: [string, unknown, string][] = [
  ["a missing name", { timeoutSeconds: 1 }, "name is required"],
  ["an empty name", { name: "", timeoutSeconds: 1 }, "name must not be empty"],
  [
    "65 characters",
    { name: "ж".repeat(65), timeoutSeconds: 1 },
    "name must be at most 64 characters",
  ],
  ["a number as name", { name: 5, timeoutSeconds: 1 }, "name must be a string"],
  // Sent as text: the JSON escape is the only way a lone surrogate reaches the daemon.
  [
    "a lone surrogate in the name",
    '{"name": "backup-\\ud800", "timeoutSeconds": 1}',
    "name must not contain a lone UTF-16 surrogate",
  ],
  ["a missing timeout", { name: "a" }, "timeoutSeconds is required"],
  [
    "a timeout as a string",
    { name: "a", timeoutSeconds: "300" },
    "timeoutSeconds must be a number",
  ],
  ["a zero timeout", { name: "a", timeoutSeconds: 0 }, "timeoutSeconds must be greater than 0"],
  [
    "a negative timeout",
    { name: "a", timeoutSeconds: -1 },
    "timeoutSeconds must be greater than 0",
  ],
  ["367 days", { name: "a", timeoutSeconds: 31_708_800 }, "timeoutSeconds must be at most"],
  // Sent as text: JSON.stringify would turn the Infinity that 1e400 parses to into null.
  [
    "a timeout beyond a double",
    '{"name": "a", "timeoutSeconds": 1e400}',
    "timeoutSeconds must be a finite number",
  ],
  ["a null timeout", { name: "a", timeoutSeconds: null }, "timeoutSeconds must be a number"],
  [
    "a 65-character version",
    { name: "a", timeoutSeconds: 1, version: "v".repeat(65) },
    "version must be at most 64",
  ],
  ["a numeric version", { name: "a", timeoutSeconds: 1, version: 1 }, "version must be a string"],
  ["an array body", [], "the body must be a JSON object"],
  ["a null body", null, "the body must be a JSON object"],
  ["a string body", '"text"', "the body must be a JSON object"],
  ["bad JSON", '{"name": "a",', "the body is not valid JSON"],
  ["an empty body", "", "the request needs a JSON object body"],
];

describe("creating a run", () => {
  for (const [what, body] of GOOD_CREATES) {
    test(`accepts ${what}`, async () => {
      const response = await daemon.post("/api/jobs/", body);
      expect(response.status).toBe(200);
    });
  }

  for (const [what, body, error] of BAD_CREATES) {
    test(`refuses ${what} with a 400 naming the problem, storing nothing`, async () => {
      const before = runCount();
      const response = await daemon.post(
        "/api/jobs/",
        typeof body === "string" ? body : JSON.stringify(body),
      );
      expect(response.status).toBe(400);
      const answer = await response.json();
      expect(answer.status).toBe("error");
      expect(answer.error).toContain(error);
      expect(runCount()).toBe(before);
    });
  }
});

describe("logging and ending", () => {
  const BAD_LOGS: [string, unknown, string][] = [
    ["a missing message", {}, "message is required"],
    ["an empty message", { message: "" }, "message must not be empty"],
    ["a numeric message", { message: 5 }, "message must be a string"],
    ["no body", "", "the request needs a JSON object body"],
  ];
  for (const [what, body, error] of BAD_LOGS) {
    test(`a log with ${what} is a 400`, async () => {
      const id = await createRun(daemon);
      const response = await daemon.post(
        `/jobs/${id}`,
        typeof body === "string" ? body : JSON.stringify(body),
      );
      expect(response.status).toBe(400);
      expect((await response.json()).error).toContain(error);
    });
  }

  const BAD_ENDS: [string, unknown, string][] = [
    ["exit code 256", { exitCode: 256 }, "exitCode must be from 0 to 255"],
    ["exit code -1", { exitCode: -1 }, "exitCode must be from 0 to 255"],
    ["exit code 1.5", { exitCode: 1.5 }, "exitCode must be a whole number"],
    ["exit code as text", { exitCode: "1" }, "exitCode must be a number"],
    ["an empty message", { message: "" }, "message must not be empty"],
  ];
  for (const [what, body, error] of BAD_ENDS) {
    test(`an end signal with ${what} is a 400 and leaves the run running`, async () => {
      const id = await createRun(daemon);
      const response = await daemon.post(`/jobs/${id}/complete`, body);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toContain(error);
      const run = (await (await daemon.request(`/api/jobs/${id}`)).json()).job;
      expect(run.status).toBe("running");
    });
  }

  test("a message over 16 KiB is stored truncated and flagged", async () => {
    const id = await createRun(daemon);
    const response = await daemon.post(`/jobs/${id}`, { message: "z".repeat(20_000) });
    expect(response.status).toBe(200);
    const events = (await (await daemon.request(`/api/jobs/${id}/events`)).json()).events;
    const log = events.find((e: { kind: string }) => e.kind === "log");
    expect(log.truncated).toBe(true);
    expect(log.message.length).toBe(16 * 1024);
  });

  test("a body over 1 MiB is refused with 413", async () => {
    const id = await createRun(daemon);
    const response = await daemon.post(`/jobs/${id}`, { message: "z".repeat(1024 * 1024 + 10) });
    expect(response.status).toBe(413);
    expect((await response.json()).status).toBe("error");
  });

  test("a body just under 1 MiB is accepted", async () => {
    const id = await createRun(daemon);
    const response = await daemon.post(`/jobs/${id}`, { message: "z".repeat(1024 * 1024 - 100) });
    expect(response.status).toBe(200);
  });
});

describe("query parameters", () => {
  const BAD_QUERIES: [string, string][] = [
    ["/api/jobs?status=done", "status must be one of"],
    ["/api/jobs?limit=0", "limit must be a whole number from 1 to 500"],
    ["/api/jobs?limit=501", "limit must be a whole number from 1 to 500"],
    ["/api/jobs?limit=abc", "limit must be a whole number"],
    ["/api/jobs?before=-3", "before must be a whole number"],
  ];
  for (const [path, error] of BAD_QUERIES) {
    test(`${path} is a 400`, async () => {
      const response = await daemon.request(path);
      expect(response.status).toBe(400);
      expect((await response.json()).error).toContain(error);
    });
  }

  test("empty parameters count as not given, as clients that send every one mean them", async () => {
    const id = await createRun(daemon, { name: "empty-params", timeoutSeconds: 60 });
    await daemon.post(`/jobs/${id}`, { message: "one" });

    const list = await daemon.request("/api/jobs?status=&name=&limit=&before=");
    expect(list.status).toBe(200);
    const { jobs } = await list.json();
    expect(jobs[0].id).toBe(id);

    const events = await daemon.request(`/api/jobs/${id}/events?after=&limit=`);
    expect(events.status).toBe(200);
    const messages = (await events.json()).events.map((e: { message: string }) => e.message);
    expect(messages).toContain("one");

    const names = await daemon.request("/api/names?after=&limit=");
    expect(names.status).toBe(200);
    expect((await names.json()).names.map((n: { name: string }) => n.name)).toContain(
      "empty-params",
    );
  });

  test("events with a bad limit are a 400", async () => {
    const id = await createRun(daemon);
    const response = await daemon.request(`/api/jobs/${id}/events?limit=1001`);
    expect(response.status).toBe(400);
    expect((await response.json()).error).toContain("limit must be a whole number from 1 to 1000");
  });
});
