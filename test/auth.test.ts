import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createRun, startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon();
});
afterAll(() => daemon.close());

const create = (authorization: string | null) =>
  fetch(`${daemon.url}/api/jobs/`, {
    method: "POST",
    headers: authorization === null ? {} : { authorization },
    body: JSON.stringify({ name: "auth", timeoutSeconds: 10 }),
  });

describe("API keys", () => {
  test("ApiKey and Bearer are accepted, the scheme word in any case", async () => {
    for (const scheme of ["ApiKey", "apikey", "APIKEY", "Bearer", "bearer"]) {
      expect((await create(`${scheme} ${daemon.key}`)).status).toBe(200);
    }
  });

  const REFUSED: [string, string | null, string][] = [
    ["no header", null, "missing Authorization header"],
    ["an empty header", "", "missing Authorization header"],
    ["a scheme alone", "ApiKey", "malformed"],
    ["an unknown scheme", "Basic abc", "malformed"],
    ["extra words", "ApiKey a b", "malformed"],
    ["a wrong key", "ApiKey sbx_wrong", "unknown or revoked"],
  ];
  for (const [what, header, error] of REFUSED) {
    test(`${what} is a 401 with WWW-Authenticate`, async () => {
      const response = await create(header);
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toContain("ApiKey");
      const body = await response.json();
      expect(body.status).toBe("error");
      expect(body.error).toContain(error);
    });
  }

  test("a revoked key is refused from the next request on", async () => {
    const { key, secret } = daemon.keys.create("short-lived", "write");
    expect((await create(`ApiKey ${secret}`)).status).toBe(200);
    daemon.keys.revoke(key.id);
    expect((await create(`ApiKey ${secret}`)).status).toBe(401);
  });

  test("a read-only key reads but gets 403 on every write", async () => {
    const { secret } = daemon.keys.create("reader", "read");
    const id = await createRun(daemon);
    expect((await daemon.request(`/api/jobs/${id}`, { key: secret })).status).toBe(200);
    expect((await daemon.request(`/api/jobs`, { key: secret })).status).toBe(200);
    for (const path of ["/api/jobs/", `/jobs/${id}`, `/jobs/${id}/complete`, `/jobs/${id}/fail`]) {
      const response = await daemon.post(
        path,
        { name: "x", timeoutSeconds: 1, message: "m" },
        secret,
      );
      expect(response.status).toBe(403);
      expect((await response.json()).error).toContain("read-only");
    }
    expect((await (await daemon.request(`/api/jobs/${id}`)).json()).job.status).toBe("running");
  });

  test("only the SHA-256 of a secret is stored", () => {
    const { secret } = daemon.keys.create("hashed", "write");
    const rows = daemon.db.query("SELECT * FROM api_keys").all();
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(secret.length).toBeGreaterThanOrEqual(32);
  });
});
