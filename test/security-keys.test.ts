import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { generateSecret } from "../src/auth/secrets.ts";
import { runStatusbox } from "./helpers/binary.ts";
import { isErrorShape } from "./helpers/error-shape.ts";
import { spawnKeyedDaemon, type KeyedDaemon } from "./helpers/keyed-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

// Against a real process, with keys made and revoked by the command line as an operator would.
const dir = makeTempDir();
const dbPath = join(dir.path, "keys.db");
let daemon: KeyedDaemon;
let runId: number;

beforeAll(async () => {
  daemon = await spawnKeyedDaemon(dbPath);
  const created = await call("POST", "/api/jobs/", `ApiKey ${daemon.key}`, {
    name: "guarded",
    timeoutSeconds: 600,
  });
  runId = ((await created.json()) as { id: number }).id;
});
afterAll(async () => {
  await daemon.stop();
  dir.cleanup();
});

/** `statusbox keys create` against the daemon's database; answers the id and the secret. */
async function cliKey(...flags: string[]) {
  const result = await runStatusbox(["keys", "create", "--db", dbPath, ...flags]);
  expect(result.code).toBe(0);
  const id = Number(/key (\d+)/.exec(result.stdout)?.[1]);
  return { id, secret: result.stdout.trim().split("\n").at(-1)! };
}

function call(method: string, path: string, authorization: string | null, body?: unknown) {
  return fetch(daemon.url + path, {
    method,
    headers: authorization === null ? {} : { authorization },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const writes = () =>
  [
    ["POST", "/api/jobs/", { name: "intruder", timeoutSeconds: 5 }],
    ["POST", `/jobs/${runId}`, { message: "intruder" }],
    ["POST", `/api/jobs/${runId}/events`, { messages: ["intruder"] }],
    ["POST", `/jobs/${runId}/complete`, {}],
    ["POST", `/jobs/${runId}/fail`, {}],
    ["POST", `/jobs/${runId}/cancel`, {}],
    ["PUT", "/api/schedules/intruder", { every: "1h" }],
    ["DELETE", "/api/schedules/intruder", undefined],
  ] as const;
const reads = () => [
  "/api/jobs",
  `/api/jobs/${runId}`,
  `/api/jobs/${runId}/events`,
  "/api/schedules",
  "/api/names",
];

/** Rows of every table that requests can write, to show that a refusal stored nothing. */
function stored(): string {
  const db = new Database(dbPath, { readonly: true });
  try {
    const counts = ["runs", "events", "schedules"].map(
      (table) => db.query(`SELECT count(*) AS n FROM ${table}`).get() as { n: number },
    );
    const run = db.query("SELECT status, event_count FROM runs WHERE id = ?").get(runId);
    return JSON.stringify([counts, run]);
  } finally {
    db.close();
  }
}

/** Every write and read with this header answers `status`, in the error shape. */
async function expectRefusedEverywhere(authorization: string | null, status: number) {
  const before = stored();
  const requests = [
    ...writes().map(([method, path, body]) => ({ method, path, body })),
    ...reads().map((path) => ({ method: "GET", path, body: undefined })),
  ];
  for (const { method, path, body } of requests) {
    const response = await call(method, path, authorization, body);
    const answer = await response.json();
    expect({ method, path, status: response.status }).toEqual({ method, path, status });
    expect(isErrorShape(answer)).toBe(true);
    if (status === 401) expect(response.headers.get("www-authenticate")).toContain("ApiKey");
  }
  expect(stored()).toBe(before);
}

describe("keys, against a real daemon", () => {
  test("no key, an empty one or a malformed header: 401 on every route but /healthz", async () => {
    expect((await call("GET", "/healthz", null)).status).toBe(200);
    for (const header of [null, "", "ApiKey", "Bearer", `Basic ${daemon.key}`, `${daemon.key}`]) {
      await expectRefusedEverywhere(header, 401);
    }
  });

  test("a wrong key, or the right one cut or padded: 401 everywhere", async () => {
    const near = [daemon.key.slice(0, -1), `${daemon.key}x`, daemon.key.toUpperCase()];
    for (const secret of [generateSecret(), ...near]) {
      await expectRefusedEverywhere(`ApiKey ${secret}`, 401);
    }
  });

  test("a key revoked by `keys revoke` while the daemon runs is refused from then on", async () => {
    const { id, secret } = await cliKey("--name", "doomed");
    expect((await call("GET", "/api/jobs", `ApiKey ${secret}`)).status).toBe(200);

    const revoked = await runStatusbox(["keys", "revoke", String(id), "--db", dbPath]);
    expect(revoked.code).toBe(0);
    // The daemon checks for keys changed by another process every 100 ms.
    await waitFor(async () => (await call("GET", "/api/jobs", `ApiKey ${secret}`)).status === 401, {
      timeoutMs: 2000,
      what: "the revoked key to be refused",
    });
    await expectRefusedEverywhere(`ApiKey ${secret}`, 401);
  });

  test("a read-only key reads every read route and gets 403 on every write", async () => {
    const { secret } = await cliKey("--read-only", "--name", "reader");
    for (const path of reads()) {
      expect({ path, status: (await call("GET", path, `Bearer ${secret}`)).status }).toEqual({
        path,
        status: 200,
      });
    }
    const before = stored();
    for (const [method, path, body] of writes()) {
      const response = await call(method, path, `ApiKey ${secret}`, body);
      expect({ path, status: response.status }).toEqual({ path, status: 403 });
      expect((await response.json()).error).toContain("read-only");
    }
    expect(stored()).toBe(before);
  });

  test("a read-only key writing to a route that does not exist gets the same 404 as any key", async () => {
    const { secret } = await cliKey("--read-only", "--name", "prober");
    for (const [method, path] of [
      ["POST", "/openapi.json"],
      ["DELETE", "/api/jobs/1"],
      ["PUT", "/api/jobs/"],
      ["POST", "/api/nothing"],
    ] as const) {
      const response = await call(method, path, `ApiKey ${secret}`);
      expect({ method, path, status: response.status }).toEqual({ method, path, status: 404 });
    }
  });
});
