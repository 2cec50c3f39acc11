import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createRun, startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon();
  for (const name of ["alpha", "beta", "alpha"])
    await createRun(daemon, { name, timeoutSeconds: 60 });
  const schedule = { method: "PUT", body: JSON.stringify({ every: "1h", grace: "5m" }) };
  expect((await daemon.request("/api/schedules/gamma", schedule)).ok).toBe(true);
});
afterAll(() => daemon.close());

const get = async (path: string) => {
  const response = await daemon.request(path);
  expect(response.status).toBe(200);
  return response.json();
};

describe("next in GET /api/jobs", () => {
  test("is null when the last page is exactly full", async () => {
    const page = await get("/api/jobs?limit=3");
    expect(page.jobs.map((job: { id: number }) => job.id)).toEqual([3, 2, 1]);
    expect(page.next).toBeNull();
  });

  test("points at the following page while there is one, and is null on the last", async () => {
    const first = await get("/api/jobs?limit=2");
    expect(first.jobs.map((job: { id: number }) => job.id)).toEqual([3, 2]);
    expect(first.next).toBe(2);
    const last = await get(`/api/jobs?limit=2&before=${first.next}`);
    expect(last.jobs.map((job: { id: number }) => job.id)).toEqual([1]);
    expect(last.next).toBeNull();
  });

  test("counts only the filtered runs", async () => {
    const alpha = await get("/api/jobs?name=alpha&limit=2");
    expect(alpha.jobs.map((job: { id: number }) => job.id)).toEqual([3, 1]);
    expect(alpha.next).toBeNull();
  });
});

describe("next in GET /api/names", () => {
  const namesOf = (page: { names: { name: string }[] }) => page.names.map((row) => row.name);

  test("is null when the last page is exactly full (names from runs and schedules)", async () => {
    const page = await get("/api/names?limit=3");
    expect(namesOf(page)).toEqual(["alpha", "beta", "gamma"]);
    expect(page.next).toBeNull();
  });

  test("points at the following page while there is one, and is null on the last", async () => {
    const first = await get("/api/names?limit=2");
    expect(namesOf(first)).toEqual(["alpha", "beta"]);
    expect(first.next).toBe("beta");
    const last = await get(`/api/names?limit=2&after=${first.next}`);
    expect(namesOf(last)).toEqual(["gamma"]);
    expect(last.next).toBeNull();
  });
});
