import { afterAll, expect, test } from "bun:test";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { generateSecret } from "../src/auth/secrets.ts";
import { runStatusbox } from "./helpers/binary.ts";
import { spawnKeyedDaemon } from "./helpers/keyed-daemon.ts";
import { spawnCapturedDaemon } from "./helpers/captured-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

const dir = makeTempDir();
afterAll(() => dir.cleanup());

/** Everything a client saw: status lines, headers and bodies, as one text to search. */
let answers = "";

async function send(url: string, path: string, authorization: string, body?: string) {
  const response = await fetch(url + path, {
    method: body === undefined ? "GET" : "POST",
    headers: { authorization },
    body,
  });
  const headers = JSON.stringify([...response.headers]);
  answers += `${response.status} ${headers} ${await response.text()}\n`;
}

/** Presents `secret` in every way a client might, right or wrong, on several routes. */
async function presentEverywhere(url: string, secret: string) {
  const forms = [
    `ApiKey ${secret}`,
    `Bearer ${secret}`,
    `Basic ${secret}`,
    secret,
    `ApiKey ${secret} extra`,
    `ApiKey ${secret}x`,
    `apikey  ${secret}`,
  ];
  const create = JSON.stringify({ name: "secretive", timeoutSeconds: 60 });
  for (const authorization of forms) {
    await send(url, "/api/jobs/", authorization, create);
    await send(url, "/jobs/1", authorization, '{"message": ');
    await send(url, `/api/jobs?name=x&key=${secret}`, authorization);
    await send(url, "/api/jobs/1/events", authorization);
    await send(url, "/metrics", authorization);
    await send(url, "/no/such/route", authorization);
    await send(url, "/api/schedules/nightly", authorization, "{}");
  }
}

/** The database and its -wal and -shm files, byte for byte, as text to search. */
function databaseBytes(dbPath: string): string {
  return ["", "-wal", "-shm"]
    .map((suffix) => dbPath + suffix)
    .filter((path) => existsSync(path))
    .map((path) => readFileSync(path).toString("latin1"))
    .join("\n");
}

function expectNowhere(secrets: string[], places: Record<string, string>) {
  for (const [place, text] of Object.entries(places)) {
    for (const secret of secrets) {
      // The random part alone too, in case a prefix was stripped on the way.
      const found = [secret, secret.slice(4)].some((s) => text.includes(s));
      expect({ place, secret: secret.slice(0, 8), found }).toEqual({
        place,
        secret: secret.slice(0, 8),
        found: false,
      });
    }
  }
}

test("no secret appears in the log, an answer, key listings or the database files", async () => {
  const dbPath = join(dir.path, "secrets.db");
  const args = ["--log-level", "debug", "--log-requests"];
  const daemon = await spawnKeyedDaemon(dbPath, { args });
  const reader = await runStatusbox(["keys", "create", "--read-only", "--db", dbPath]);
  const readKey = reader.stdout.trim().split("\n").at(-1)!;
  const doomed = await runStatusbox(["keys", "create", "--name", "doomed", "--db", dbPath]);
  const doomedKey = doomed.stdout.trim().split("\n").at(-1)!;
  const doomedId = /key (\d+)/.exec(doomed.stdout)![1]!;
  expect(await send(daemon.url, "/api/jobs", `ApiKey ${doomedKey}`)).toBeUndefined();
  await runStatusbox(["keys", "revoke", doomedId, "--db", dbPath]);
  await waitFor(async () => {
    const response = await fetch(`${daemon.url}/api/jobs`, {
      headers: { authorization: `ApiKey ${doomedKey}` },
    });
    return response.status === 401;
  });

  const secrets = [daemon.key, readKey, doomedKey, generateSecret()];
  for (const secret of secrets) await presentEverywhere(daemon.url, secret);
  // A control: text a job sends as a message is stored, and the search must find it.
  const control = `control-${generateSecret()}`;
  const run = await fetch(`${daemon.url}/api/jobs/`, {
    method: "POST",
    headers: daemon.auth,
    body: JSON.stringify({ name: "control", timeoutSeconds: 60 }),
  });
  const { id } = (await run.json()) as { id: number };
  await fetch(`${daemon.url}/jobs/${id}`, {
    method: "POST",
    headers: daemon.auth,
    body: JSON.stringify({ message: control }),
  });
  const listed = await runStatusbox(["keys", "list", "--db", dbPath]);
  const whileRunning = databaseBytes(dbPath);
  expect(await daemon.stop()).toBe(0);

  expect(whileRunning).toContain(control);
  expect(daemon.log()).toContain("request"); // request logging was on
  expectNowhere(secrets, {
    log: daemon.log(),
    answers,
    "keys list": listed.stdout + listed.stderr,
    "database, WAL and shm while running": whileRunning,
    "database after stop": databaseBytes(dbPath),
  });
}, 30_000);

test("the first key is printed once on stdout, kept out of the log and the database", async () => {
  const dbPath = join(dir.path, "first.db");
  const args = ["--log-format", "json", "--log-requests"];
  const daemon = await spawnCapturedDaemon(dbPath, { args });
  const firstKey = await waitFor(() => /^(sbx_\S+)$/m.exec(daemon.stdout())?.[1]);
  await presentEverywhere(daemon.url, firstKey);
  const whileRunning = databaseBytes(dbPath);
  expect(await daemon.stop()).toBe(0);

  expect(daemon.stdout().split(firstKey)).toHaveLength(2); // exactly once
  expect(daemon.stderr()).toContain('"msg":"request"');
  expectNowhere([firstKey], {
    log: daemon.stderr(),
    answers,
    "database, WAL and shm while running": whileRunning,
    "database after stop": databaseBytes(dbPath),
  });

  // A second start on the same database creates and prints no key.
  const again = await spawnCapturedDaemon(dbPath);
  expect(await again.stop()).toBe(0);
  expect(again.stdout()).toBe("");
}, 30_000);
