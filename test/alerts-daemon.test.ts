import type { Subprocess } from "bun";
import { Database } from "bun:sqlite";
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { startDaemon, type Daemon } from "../src/daemon.ts";
import { ManualClock, type Clock } from "../src/domain/clock.ts";
import { silentLogger } from "../src/log/logger.ts";
import { channelsOf } from "./helpers/alerts-kit.ts";
import { closedPort, startReceiver } from "./helpers/http-receiver.ts";
import { spawnDaemon } from "./helpers/process-daemon.ts";
import { startStallingSmtp } from "./helpers/stalling-smtp.ts";
import { httpRequest, RawConnection } from "./helpers/raw-http.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

/** A key of our own for spawned daemons: their firstKey can miss stdout not flushed yet. */
const KEY_ENV = { STATUSBOX_API_KEY: "sbx_alerts_daemon_test_key" };
const AUTH = { authorization: `ApiKey ${KEY_ENV.STATUSBOX_API_KEY}` };

/** Writes `toml` as the config file of a database in `dir`; answers how to serve it. */
function servedWith(dir: string, toml: string) {
  const dbPath = join(dir, "statusbox.db");
  const config = join(dir, "statusbox.toml");
  writeFileSync(config, toml);
  const spawn = () => spawnDaemon(dbPath, { args: ["--config", config], env: KEY_ENV });
  return { dbPath, spawn };
}

/** Creates a run of `name` on the daemon at `url` and fails it: its id and the fail's status. */
async function failRun(url: string, name = "backup") {
  const created = await fetch(`${url}/api/jobs/`, {
    method: "POST",
    headers: AUTH,
    body: JSON.stringify({ name, timeoutSeconds: 600 }),
  });
  const { id } = (await created.json()) as { id: number };
  const failed = await fetch(`${url}/jobs/${id}/fail`, { method: "POST", headers: AUTH });
  return { id, status: failed.status };
}

/** Sends SIGTERM: the exit code if the process ended within 5 s, and whether it did. */
async function stopWithinFiveSeconds(proc: Subprocess) {
  const signalledAt = performance.now();
  proc.kill("SIGTERM");
  const exited = await Promise.race([proc.exited, Bun.sleep(5000).then(() => null)]);
  return { exited, withinFiveSeconds: performance.now() - signalledAt < 5000 };
}

/** A daemon in this process with one webhook channel, and a key to call it with. */
async function daemonWithHook(url: string, dir: string, clock?: Clock) {
  const daemon: Daemon = await startDaemon({
    dbPath: join(dir, "statusbox.db"),
    host: "127.0.0.1",
    port: 0,
    logger: silentLogger,
    clock,
    alerts: channelsOf([{ name: "ops", type: "webhook", url, on: ["failed", "timed_out"] }]),
  });
  const key = daemon.firstKey!;
  const post = (path: string, body: unknown = {}) =>
    fetch(daemon.url + path, {
      method: "POST",
      headers: { authorization: `ApiKey ${key}` },
      body: JSON.stringify(body),
    });
  return { daemon, post };
}

describe("alerts in the daemon", () => {
  test("a failed run is delivered in the background, never holding up the end signal", async () => {
    const dir = makeTempDir();
    const receiver = startReceiver();
    let release = () => {};
    receiver.answer(() => new Promise((resolve) => (release = () => resolve({ status: 200 }))));
    const { daemon, post } = await daemonWithHook(`${receiver.url}/hook`, dir.path);
    try {
      const { id } = await (
        await post("/api/jobs/", { name: "backup", timeoutSeconds: 60 })
      ).json();
      const ended = await post(`/jobs/${id}/fail`, { message: "boom" });
      expect(ended.status).toBe(200); // answered while the receiver still holds the delivery

      await waitFor(() => receiver.requests.length === 1, { what: "the webhook" });
      expect(JSON.parse(receiver.requests[0]!.body).run).toMatchObject({ id, status: "failed" });
      release();
      await waitFor(
        () => daemon.db.query("SELECT 1 FROM alert_outbox WHERE state = 'delivered'").get(),
        { what: "the delivery to be recorded" },
      );
    } finally {
      release();
      await daemon.stop();
      await receiver.stop();
      dir.cleanup();
    }
  });

  test("a run that times out while the daemon runs is alerted", async () => {
    const dir = makeTempDir();
    const receiver = startReceiver();
    const clock = new ManualClock();
    const { daemon, post } = await daemonWithHook(receiver.url, dir.path, clock);
    try {
      const { id } = await (await post("/api/jobs/", { name: "slow", timeoutSeconds: 10 })).json();
      clock.advance(10_000);
      daemon.scheduler.tick();
      await waitFor(() => receiver.requests.length === 1, { what: "the webhook" });
      expect(JSON.parse(receiver.requests[0]!.body)).toMatchObject({
        trigger: "timed_out",
        run: { id, status: "timed_out" },
      });
    } finally {
      await daemon.stop();
      await receiver.stop();
      dir.cleanup();
    }
  });

  test("alerts undelivered when the daemon is killed -9 are delivered after restart", async () => {
    const dir = makeTempDir();
    const port = await closedPort();
    const { dbPath, spawn } = servedWith(
      dir.path,
      `[[alerts]]
name = "ops"
type = "webhook"
url = "http://127.0.0.1:${port}/hook"
on = ["failed"]
`,
    );
    const first = await spawn();
    try {
      const ids: number[] = [];
      for (const name of ["backup-a", "backup-b"]) {
        const { id, status } = await failRun(first.url, name);
        expect(status).toBe(200);
        ids.push(id);
      }
      // The receiver is down: the daemon tries, fails, and is killed before it succeeds.
      await waitFor(() => first.log().includes("alert delivery failed; will retry"), {
        what: "a failed try",
      });
      first.proc.kill("SIGKILL");
      await first.proc.exited;

      const db = new Database(dbPath, { readonly: true });
      const pending = db
        .query("SELECT run_id FROM alert_outbox WHERE state = 'pending' ORDER BY run_id")
        .all();
      db.close();
      expect(pending).toEqual(ids.map((id) => ({ run_id: id })));

      const receiver = startReceiver({ port });
      const second = await spawn();
      try {
        await waitFor(() => receiver.requests.length >= 2, {
          what: "the alerts",
          timeoutMs: 10_000,
        });
        await waitFor(() => (second.log().match(/alert delivered/g) ?? []).length === 2, {
          what: "the deliveries to be logged",
        });
        const delivered = receiver.requests.map((r) => JSON.parse(r.body).run.id).sort();
        expect(delivered).toEqual(ids);
        expect(second.log()).not.toContain(`127.0.0.1:${port}`);
      } finally {
        await second.stop();
        await receiver.stop();
      }
      expect(receiver.requests.length).toBe(2);
    } finally {
      if (first.proc.exitCode === null) first.proc.kill("SIGKILL");
      dir.cleanup();
    }
  });

  test("SIGTERM while an email is stuck on a server that never finishes: exit 0 in 5 s", async () => {
    const dir = makeTempDir();
    const server = await startStallingSmtp("endless-reply");
    const { dbPath, spawn } = servedWith(
      dir.path,
      `[[alerts]]
name = "mail"
type = "email"
host = "127.0.0.1"
port = ${server.port}
tls = "none"
from = "a@b.c"
to = ["x@y.z"]
`,
    );
    const daemon = await spawn();
    try {
      await failRun(daemon.url);
      await waitFor(() => server.connections === 1, { what: "the mail delivery" });
      await Bun.sleep(300); // well into the reply that never ends

      expect(await stopWithinFiveSeconds(daemon.proc)).toEqual({
        exited: 0,
        withinFiveSeconds: true,
      });
      expect(daemon.log()).toContain("statusbox stopped");
      expect(server.closedAt.length).toBe(1);

      // The attempt cut short is not recorded: the alert waits for the next start.
      const db = new Database(dbPath, { readonly: true });
      const outbox = db.query("SELECT state, attempts FROM alert_outbox").all();
      db.close();
      expect(outbox).toEqual([{ state: "pending", attempts: 0 }]);
    } finally {
      if (daemon.proc.exitCode === null) daemon.proc.kill("SIGKILL");
      await server.stop();
      dir.cleanup();
    }
  });

  test("SIGTERM with command channels that ignore SIGTERM and a request stuck half-way: 5 s", async () => {
    const dir = makeTempDir();
    const stubborn = (i: number) => `[[alerts]]
name = "stubborn-${i}"
type = "command"
command = ["sh", "-c", "trap '' TERM; sleep 600"]
timeout = "10m"
`;
    const daemon = await servedWith(dir.path, [1, 2, 3].map(stubborn).join("\n")).spawn();
    const stuck = await RawConnection.open(daemon.url);
    try {
      for (let i = 0; i < 4; i++) await failRun(daemon.url);
      // 4 alerts on each of 3 channels: 12 programs that will need SIGKILL.
      await Bun.sleep(500);
      stuck.write(httpRequest("POST", "/api/jobs/", { ...AUTH, "Content-Length": "100" }) + "{");

      expect(await stopWithinFiveSeconds(daemon.proc)).toEqual({
        exited: 0,
        withinFiveSeconds: true,
      });
      expect(daemon.log()).toContain("statusbox stopped");
    } finally {
      stuck.destroy();
      if (daemon.proc.exitCode === null) daemon.proc.kill("SIGKILL");
      dir.cleanup();
    }
  });
});
