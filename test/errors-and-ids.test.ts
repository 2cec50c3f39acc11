import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon();
});
afterAll(() => daemon.close());

const ODD_IDS = ["abc", "0", "-1", "1.5", "12345678901234567890", "1e3", "%20", "999999"];

describe("unknown runs and routes", () => {
  for (const id of ODD_IDS) {
    test(`id '${id}' is a 404 on every route, never a 500`, async () => {
      const answers = [
        await daemon.post(`/jobs/${id}`, { message: "m" }),
        await daemon.post(`/jobs/${id}/complete`),
        await daemon.post(`/api/jobs/${id}/fail`),
        await daemon.post(`/api/jobs/${id}/cancel`),
        await daemon.request(`/api/jobs/${id}`),
        await daemon.request(`/api/jobs/${id}/events`),
      ];
      for (const response of answers) {
        expect(response.status).toBe(404);
        const body = await response.json();
        expect(body).toMatchObject({ status: "error", code: "not_found" });
        expect(typeof body.error).toBe("string");
      }
    });
  }

  test("an unknown route is a 404 in the error shape", async () => {
    const response = await daemon.request("/nothing/here");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ status: "error", code: "not_found" });
  });

  test("a method a route does not take is a 404 in the error shape", async () => {
    const response = await daemon.request("/jobs/1/complete", { method: "DELETE" });
    expect(response.status).toBe(404);
    expect((await response.json()).status).toBe("error");
  });
});
