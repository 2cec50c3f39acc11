import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { ManualClock } from "../src/domain/clock.ts";
import { createRun, startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";
import { describeBadAnswer } from "./helpers/error-shape.ts";

const clock = new ManualClock(Date.parse("2026-01-01T00:00:00Z"));
let daemon: TestDaemon;
let readKey: string;

beforeAll(async () => {
  daemon = await startTestDaemon({ clock });
  // The test moves the checker's wheel itself, after moving the clock.
  daemon.schedules.checker.stop();
  readKey = daemon.keys.create("reader", "read").secret;
});
afterAll(() => daemon.close());

const put = (name: string, body: unknown, key?: string) =>
  daemon.request(`/api/schedules/${encodeURIComponent(name)}`, {
    method: "PUT",
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(key === undefined ? {} : { key }),
  });
const del = (name: string, key?: string) =>
  daemon.request(`/api/schedules/${encodeURIComponent(name)}`, {
    method: "DELETE",
    ...(key === undefined ? {} : { key }),
  });
const get = (path: string, key?: string) => daemon.request(path, key === undefined ? {} : { key });

async function expectError(response: Response, status: number, sentence: string) {
  const text = await response.text();
  expect(describeBadAnswer(response.status, response.headers, text)).toBeNull();
  expect(response.status).toBe(status);
  expect(JSON.parse(text).error).toBe(sentence);
}

describe("PUT, GET and DELETE /api/schedules/:name", () => {
  test("cron fields parted by tabs or line breaks are stored with one space between", async () => {
    const response = await put("spaced", { cron: " 0\t3\r\n*  *\u000b* " });
    expect(response.status).toBe(201);
    expect((await response.json()).schedule.cron).toBe("0 3 * * *");
    expect((await del("spaced")).status).toBe(200);
  });

  test("creates a cron schedule (201) and answers it with its next expected time", async () => {
    const response = await put("backup", { cron: "0 3 * * *", tz: "Europe/Berlin", grace: "15m" });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      status: "ok",
      schedule: {
        name: "backup",
        cron: "0 3 * * *",
        tz: "Europe/Berlin",
        every: null,
        grace: "15m",
        source: "api",
        createdAt: "2026-01-01T00:00:00.000Z",
        updatedAt: "2026-01-01T00:00:00.000Z",
        nextExpectedAt: "2026-01-01T02:00:00.000Z",
        missedAfter: "2026-01-01T02:15:00.000Z",
      },
    });
  });

  test("the same schedule again answers 200 and changes nothing", async () => {
    const again = await put("backup", { cron: "0 3 * * *", tz: "Europe/Berlin", grace: "900s" });
    expect(again.status).toBe(200);
    expect((await again.json()).schedule.grace).toBe("15m");

    const replaced = await put("report", { every: "90m" });
    expect(replaced.status).toBe(201);
    expect((await replaced.json()).schedule).toMatchObject({
      every: "1h30m",
      grace: "5m",
      cron: null,
      tz: null,
      nextExpectedAt: "2026-01-01T01:30:00.000Z",
    });
  });

  test("GET answers one schedule, or every schedule by name", async () => {
    const one = await (await get("/api/schedules/backup")).json();
    expect(one.schedule.name).toBe("backup");
    const all = await (await get("/api/schedules")).json();
    expect(all.status).toBe("ok");
    expect(all.schedules.map((s: { name: string }) => s.name)).toEqual(["backup", "report"]);
  });

  test("names with spaces, slashes and other scripts work URL-encoded", async () => {
    const name = "nightly backup/db ünï 🚀";
    expect((await put(name, { every: "1d" })).status).toBe(201);
    const answer = await (await get(`/api/schedules/${encodeURIComponent(name)}`)).json();
    expect(answer.schedule.name).toBe(name);
    expect((await del(name)).status).toBe(200);
  });

  test("DELETE removes it; then reading or deleting it answers 404", async () => {
    expect((await put("temp", { every: "1h" })).status).toBe(201);
    const removed = await del("temp");
    expect(removed.status).toBe(200);
    expect(await removed.json()).toEqual({ status: "ok" });
    await expectError(await get("/api/schedules/temp"), 404, "no schedule for the job name 'temp'");
    await expectError(await del("temp"), 404, "no schedule for the job name 'temp'");
  });

  test("a read-only key may read but not change schedules", async () => {
    expect((await get("/api/schedules", readKey)).status).toBe(200);
    expect((await get("/api/schedules/backup", readKey)).status).toBe(200);
    await expectError(await put("x", { every: "1h" }, readKey), 403, "this API key is read-only");
    await expectError(await del("backup", readKey), 403, "this API key is read-only");
    expect((await get("/api/schedules/x")).status).toBe(404);
  });

  const BAD: [string, unknown, string][] = [
    ["neither cron nor every", { grace: "5m" }, "cron or every is required"],
    [
      "a control character in cron",
      { cron: "0 3 * * *\u0007" },
      "cron must not contain control characters",
    ],
    ["both", { cron: "* * * * *", every: "1h" }, "every must not be set along with cron"],
    [
      "a bad cron field",
      { cron: "61 * * * *" },
      "cron is not a valid cron expression: Invalid value for minute: 61",
    ],
    [
      "too few cron fields",
      { cron: "* *" },
      "cron is not a valid cron expression: it has 2 fields; 5 are accepted " +
        "(minute hour day-of-month month day-of-week), or 6 with seconds first " +
        "(second minute hour day-of-month month day-of-week)",
    ],
    ["a cron that never matches", { cron: "0 0 30 2 *" }, "cron '0 0 30 2 *' never matches a time"],
    [
      "an unknown time zone",
      { cron: "0 3 * * *", tz: "Mars/Base" },
      "tz must be an IANA time zone like Europe/Berlin, not 'Mars/Base'",
    ],
    [
      "tz with every",
      { every: "1h", tz: "UTC" },
      "tz applies to cron only; every counts from the last run",
    ],
    [
      "a duration without unit",
      { every: "60" },
      "every must be a duration like 30s, 5m, 1h or 1d, not '60'",
    ],
    [
      "milliseconds",
      { every: "500ms" },
      "every must be a duration like 30s, 5m, 1h or 1d, not '500ms'",
    ],
    ["a zero grace", { every: "1h", grace: "0s" }, "grace must be at least 1s"],
    ["a period over 366 days", { every: "367d" }, "every must be at most 366d"],
    ["a number for a string", { every: 3600 }, "every must be a duration like 30s, 5m, 1h or 1d"],
    ["an unknown field", { every: "1h", gracee: "5m" }, "unknown field 'gracee'"],
    ["an array body", "[]", "the body must be a JSON object"],
    ["bad JSON", "{", "the body is not valid JSON"],
    ["no body", "", "the request needs a JSON object body"],
  ];
  for (const [what, body, sentence] of BAD) {
    test(`${what} is a 400 that says what is wrong`, async () => {
      await expectError(await put("bad", body), 400, sentence);
    });
  }

  test("a name that is not valid percent-encoded UTF-8 is a 400, and nothing is stored", async () => {
    const sentence = "the name in the path is not valid percent-encoded UTF-8";
    for (const raw of ["%ZZ", "%ED%A0%80", "a%E2%82"]) {
      const path = `/api/schedules/${raw}`;
      const body = JSON.stringify({ every: "1h" });
      await expectError(await daemon.request(path, { method: "PUT", body }), 400, sentence);
      await expectError(await get(path), 400, sentence);
    }
    const listed = await (await get("/api/schedules")).json();
    expect(listed.schedules.map((s: { name: string }) => s.name)).not.toContain("%ZZ");
  });

  test("a name over 64 characters is a 400, whatever the method", async () => {
    const long = "x".repeat(65);
    await expectError(await put(long, { every: "1h" }), 400, "name must be at most 64 characters");
    await expectError(
      await get(`/api/schedules/${long}`),
      400,
      "name must be at most 64 characters",
    );
  });
});

describe("missed runs show up everywhere runs do", () => {
  let missedId: number;

  test("a window with no run becomes a missed run, in GET /api/jobs?status=missed", async () => {
    await put("hourly", { cron: "0 * * * *", grace: "10m" });
    clock.set(Date.parse("2026-01-01T00:30:00Z"));
    await createRun(daemon, { name: "other", timeoutSeconds: 60 });
    clock.set(Date.parse("2026-01-01T01:10:00Z"));
    const recorded = await daemon.schedules.checker.tick();
    expect(recorded.map((run) => run.name)).toEqual(["hourly"]);

    const list = await (await get("/api/jobs?status=missed")).json();
    expect(list.jobs).toHaveLength(1);
    const [job] = list.jobs;
    missedId = job.id;
    // Every field, as the README's Schedules section states them.
    expect(job).toEqual({
      id: missedId,
      name: "hourly",
      version: null,
      status: "missed",
      timeoutSeconds: 0,
      createdAt: "2026-01-01T01:10:00.000Z",
      deadlineAt: "2026-01-01T01:10:00.000Z",
      finishedAt: "2026-01-01T01:10:00.000Z",
      durationMs: 0,
      reportedEndAt: null,
      reportedDurationMs: null,
      exitCode: null,
      message: expect.stringMatching(/^no run started by 2026-01-01T01:10:00.000Z, expected at/),
      eventCount: 1,
      eventsDropped: 0,
      expectedAt: "2026-01-01T01:00:00.000Z",
      missedWindows: 1,
    });
    const byName = await (await get("/api/jobs?name=hourly")).json();
    expect(byName.jobs.map((j: { id: number }) => j.id)).toEqual([missedId]);
  });

  test("an end signal on a missed run is refused like on any finished run", async () => {
    const response = await daemon.post(`/jobs/${missedId}/complete`);
    expect(response.status).toBe(409);
    expect(await response.json()).toMatchObject({ code: "conflict", jobStatus: "missed" });
    const events = await (await get(`/api/jobs/${missedId}/events`)).json();
    expect(events.events.map((e: { kind: string }) => e.kind)).toEqual(["status", "rejected"]);
  });

  test("a run that arrives after the window is a normal run", async () => {
    clock.set(Date.parse("2026-01-01T01:20:00Z"));
    const id = await createRun(daemon, { name: "hourly", timeoutSeconds: 60 });
    expect((await daemon.post(`/jobs/${id}/complete`)).status).toBe(200);
    const job = (await (await get(`/api/jobs/${id}`)).json()).job;
    expect(job).toMatchObject({ status: "completed", expectedAt: null, missedWindows: null });
  });
});

describe("missed runs in the metrics", () => {
  test("a missed run is counted as created and finished with status missed", async () => {
    const text = await (await get("/metrics")).text();
    expect(text).toContain('statusbox_runs_finished_total{name="hourly",status="missed"} 1');
    expect(text).toContain('statusbox_runs_created_total{name="hourly"} 2');
  });
});
