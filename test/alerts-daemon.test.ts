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
    const dbPath = join(dir.path, "statusbox.db");
    const config = join(dir.path, "statusbox.toml");
    writeFileSync(
      config,
      `[[alerts]]
name = "ops"
type = "webhook"
url = "http://127.0.0.1:${port}/hook"
on = ["failed"]
`,
    );
    // A key of our own: spawnDaemon's firstKey can miss stdout that is not flushed yet.
    const env = { STATUSBOX_API_KEY: "sbx_alerts_kill_test_key" };
    const first = await spawnDaemon(dbPath, { args: ["--config", config], env });
    try {
      const headers = { authorization: `ApiKey ${env.STATUSBOX_API_KEY}` };
      const ids: number[] = [];
      for (const name of ["backup-a", "backup-b"]) {
        const created = await fetch(`${first.url}/api/jobs/`, {
          method: "POST",
          headers,
          body: JSON.stringify({ name, timeoutSeconds: 600 }),
        });
        const { id } = await created.json();
        expect(
          (await fetch(`${first.url}/jobs/${id}/fail`, { method: "POST", headers })).status,
        ).toBe(200);
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
      const second = await spawnDaemon(dbPath, { args: ["--config", config], env });
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
    const dbPath = join(dir.path, "statusbox.db");
    const config = join(dir.path, "statusbox.toml");
    writeFileSync(
      config,
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
    const env = { STATUSBOX_API_KEY: "sbx_alerts_stuck_mail_test_key" };
    const daemon = await spawnDaemon(dbPath, { args: ["--config", config], env });
    try {
      const headers = { authorization: `ApiKey ${env.STATUSBOX_API_KEY}` };
      const created = await fetch(`${daemon.url}/api/jobs/`, {
        method: "POST",
        headers,
        body: JSON.stringify({ name: "backup", timeoutSeconds: 600 }),
      });
      const { id } = await created.json();
      await fetch(`${daemon.url}/jobs/${id}/fail`, { method: "POST", headers });
      await waitFor(() => server.connections === 1, { what: "the mail delivery" });
      await Bun.sleep(300); // well into the reply that never ends

      const signalledAt = performance.now();
      daemon.proc.kill("SIGTERM");
      const exited = await Promise.race([daemon.proc.exited, Bun.sleep(5000).then(() => null)]);
      expect({ exited, withinFiveSeconds: performance.now() - signalledAt < 5000 }).toEqual({
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
    const dbPath = join(dir.path, "statusbox.db");
    const config = join(dir.path, "statusbox.toml");
    const stubborn = (i: number) => `[[alerts]]
name = "stubborn-${i}"
type = "command"
command = ["sh", "-c", "trap '' TERM; sleep 600"]
timeout = "10m"
`;
    writeFileSync(config, [1, 2, 3].map(stubborn).join("\n"));
    const env = { STATUSBOX_API_KEY: "sbx_alerts_stubborn_command_test_key" };
    const daemon = await spawnDaemon(dbPath, { args: ["--config", config], env });
    const stuck = await RawConnection.open(daemon.url);
    try {
      const headers = { authorization: `ApiKey ${env.STATUSBOX_API_KEY}` };
      for (let i = 0; i < 4; i++) {
        const created = await fetch(`${daemon.url}/api/jobs/`, {
          method: "POST",
          headers,
          body: JSON.stringify({ name: "backup", timeoutSeconds: 600 }),
        });
        const { id } = await created.json();
        await fetch(`${daemon.url}/jobs/${id}/fail`, { method: "POST", headers });
      }
      // 4 alerts on each of 3 channels: 12 programs that will need SIGKILL.
      await Bun.sleep(500);
      stuck.write(httpRequest("POST", "/api/jobs/", { ...headers, "Content-Length": "100" }) + "{");

      const signalledAt = performance.now();
      daemon.proc.kill("SIGTERM");
      const exited = await Promise.race([daemon.proc.exited, Bun.sleep(5000).then(() => null)]);
      expect({ exited, withinFiveSeconds: performance.now() - signalledAt < 5000 }).toEqual({
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
