import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createRun, startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon();
});
afterAll(() => daemon.close());

const job = async (id: number) =>
  ((await (await daemon.request(`/api/jobs/${id}`)).json()) as { job: Record<string, unknown> })
    .job;

describe("the hosted service's examples", () => {
  test("create answers ok with the new id", async () => {
    const response = await daemon.post("/api/jobs/", {
      name: "Video transcoding job",
      timeoutSeconds: 300,
      version: "1.0.0",
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { status: string; id: number };
    expect(body.status).toBe("ok");
    expect(Number.isInteger(body.id)).toBe(true);
  });

  test("a message logs an event and answers 200 with an empty body", async () => {
    const id = await createRun(daemon);
    const response = await daemon.post(`/jobs/${id}`, { message: "Job has been created" });
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    const events = await (await daemon.request(`/api/jobs/${id}/events`)).json();
    expect(
      events.events.map((e: { kind: string; message: string }) => [e.kind, e.message]),
    ).toEqual([
      ["status", "running (timeout 300s)"],
      ["log", "Job has been created"],
    ]);
  });

  for (const [signal, status] of [
    ["complete", "completed"],
    ["fail", "failed"],
    ["cancel", "cancelled"],
  ] as const) {
    test(`${signal} with a JSON content type and no body ends the run as ${status}`, async () => {
      const id = await createRun(daemon);
      const response = await daemon.post(`/jobs/${id}/${signal}`);
      expect(response.status).toBe(200);
      expect(await response.text()).toBe("");
      const run = await job(id);
      expect(run.status).toBe(status);
      expect(typeof run.finishedAt).toBe("string");
      expect(run.durationMs).toBeGreaterThanOrEqual(0);
    });
  }
});

describe("paths", () => {
  test("every job route answers under /jobs and /api/jobs, with or without trailing slash", async () => {
    for (const prefix of ["/jobs", "/api/jobs"]) {
      for (const slash of ["", "/"]) {
        const created = await daemon.post(`${prefix}${slash}`, { name: "p", timeoutSeconds: 5 });
        expect(created.status).toBe(200);
        const { id } = (await created.json()) as { id: number };
        expect((await daemon.post(`${prefix}/${id}${slash}`, { message: "m" })).status).toBe(200);
        expect((await daemon.request(`${prefix}/${id}${slash}`)).status).toBe(200);
        expect((await daemon.request(`${prefix}/${id}/events${slash}`)).status).toBe(200);
        expect((await daemon.post(`${prefix}/${id}/complete${slash}`)).status).toBe(200);
        expect((await daemon.request(`${prefix}${slash}`)).status).toBe(200);
      }
    }
  });

  test("health needs no key", async () => {
    const response = await fetch(`${daemon.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });
});

describe("end signals with details", () => {
  test("message and exit code are stored on the run", async () => {
    const id = await createRun(daemon);
    const response = await daemon.post(`/jobs/${id}/fail`, { message: "disk full", exitCode: 3 });
    expect(response.status).toBe(200);
    const run = await job(id);
    expect(run).toMatchObject({ status: "failed", exitCode: 3, message: "disk full" });
  });

  test("the same signal again answers 200 and changes nothing", async () => {
    const id = await createRun(daemon);
    await daemon.post(`/jobs/${id}/complete`);
    const before = await job(id);
    const again = await daemon.post(`/jobs/${id}/complete`, { message: "retry" });
    expect(again.status).toBe(200);
    expect(await job(id)).toEqual(before);
  });

  test("a different signal answers 409 naming the status, and is recorded", async () => {
    const id = await createRun(daemon);
    await daemon.post(`/jobs/${id}/complete`);
    const response = await daemon.post(`/jobs/${id}/fail`, { message: "late" });
    expect(response.status).toBe(409);
    const body = await response.json();
    expect(body.status).toBe("error");
    expect(body.error).toContain("completed");
    expect((await job(id)).status).toBe("completed");
    const events = (await (await daemon.request(`/api/jobs/${id}/events`)).json()).events;
    expect(events.at(-1)).toMatchObject({ kind: "rejected" });
    expect(events.at(-1).message).toContain("late");
  });

  test("log events on a finished run are accepted and stored", async () => {
    const id = await createRun(daemon);
    await daemon.post(`/jobs/${id}/cancel`);
    expect((await daemon.post(`/jobs/${id}`, { message: "cleanup done" })).status).toBe(200);
    expect((await job(id)).eventCount).toBe(3);
  });
});

describe("reading", () => {
  test("a job has every documented field, times in ISO 8601 UTC with milliseconds", async () => {
    const id = await createRun(daemon, { name: "fields", timeoutSeconds: 1.5, version: "2" });
    const run = await job(id);
    for (const field of [
      "id",
      "name",
      "version",
      "status",
      "timeoutSeconds",
      "createdAt",
      "deadlineAt",
      "finishedAt",
      "durationMs",
      "exitCode",
      "eventCount",
    ]) {
      expect(run).toHaveProperty(field);
    }
    expect(run.createdAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(run.deadlineAt as string) - Date.parse(run.createdAt as string)).toBe(1500);
    expect(run).toMatchObject({ version: "2", timeoutSeconds: 1.5, finishedAt: null });
  });

  test("the list is newest first, filters by status and name, and pages with next", async () => {
    const name = `pager-${Date.now()}`;
    const ids: number[] = [];
    for (let i = 0; i < 5; i++) ids.push(await createRun(daemon, { name, timeoutSeconds: 60 }));
    await daemon.post(`/jobs/${ids[1]}/fail`);

    const first = await (await daemon.request(`/api/jobs?name=${name}&limit=2`)).json();
    expect(first.jobs.map((j: { id: number }) => j.id)).toEqual([ids[4], ids[3]]);
    expect(first.next).toBe(ids[3]);
    const second = await (
      await daemon.request(`/api/jobs?name=${name}&limit=2&before=${first.next}`)
    ).json();
    expect(second.jobs.map((j: { id: number }) => j.id)).toEqual([ids[2], ids[1]]);
    const last = await (
      await daemon.request(`/api/jobs?name=${name}&limit=2&before=${second.next}`)
    ).json();
    expect(last.jobs.map((j: { id: number }) => j.id)).toEqual([ids[0]]);
    expect(last.next).toBeNull();

    const failed = await (await daemon.request(`/api/jobs?name=${name}&status=failed`)).json();
    expect(failed.jobs.map((j: { id: number }) => j.id)).toEqual([ids[1]]);
  });

  test("events page with after and limit, oldest first", async () => {
    const id = await createRun(daemon);
    for (let i = 0; i < 5; i++) await daemon.post(`/jobs/${id}`, { message: `m${i}` });
    const page = await (await daemon.request(`/api/jobs/${id}/events?limit=3`)).json();
    expect(page.events.map((e: { message: string }) => e.message)).toEqual([
      "running (timeout 300s)",
      "m0",
      "m1",
    ]);
    const after = page.events[2].id;
    const rest = await (await daemon.request(`/api/jobs/${id}/events?after=${after}`)).json();
    expect(rest.events.map((e: { message: string }) => e.message)).toEqual(["m2", "m3", "m4"]);
    for (const event of rest.events) expect(event).toMatchObject({ jobId: id, kind: "log" });
  });
});

describe("page sizes when no limit is given", () => {
  test("the job list pages 50 runs at a time by default; 500 is the largest", async () => {
    const own = await startTestDaemon();
    try {
      for (let i = 0; i < 60; i++) await createRun(own, { name: "many", timeoutSeconds: 60 });
      const page = await (await own.request("/api/jobs")).json();
      expect(page.jobs.map((j: { id: number }) => j.id)).toEqual(
        Array.from({ length: 50 }, (_, i) => 60 - i),
      );
      expect(page.next).toBe(11);

      const widest = await own.request("/api/jobs?limit=500");
      expect(widest.status).toBe(200);
      expect((await widest.json()).jobs).toHaveLength(60);
      expect((await own.request("/api/jobs?limit=501")).status).toBe(400);
    } finally {
      await own.close();
    }
  });

  test("a run's events answer 100 events; 1000 is the largest", async () => {
    const own = await startTestDaemon();
    try {
      const id = await createRun(own);
      const messages = Array.from({ length: 120 }, (_, i) => `m${i}`);
      expect((await own.post(`/api/jobs/${id}/events`, { messages })).status).toBe(200);
      const page = await (await own.request(`/api/jobs/${id}/events`)).json();
      expect(page.events).toHaveLength(100);
      expect(page.events.at(-1).message).toBe("m98"); // after the "running" status event

      const widest = await own.request(`/api/jobs/${id}/events?limit=1000`);
      expect(widest.status).toBe(200);
      expect((await widest.json()).events).toHaveLength(121);
      expect((await own.request(`/api/jobs/${id}/events?limit=1001`)).status).toBe(400);
    } finally {
      await own.close();
    }
  });
});
