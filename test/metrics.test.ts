import { afterEach, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { ManualClock } from "../src/domain/clock.ts";
import { createApp } from "../src/http/app.ts";
import { silentLogger } from "../src/log/logger.ts";
import { Registry } from "../src/metrics/registry.ts";
import { DAY_MS } from "../src/retention/policy.ts";
import { channelsOf } from "./helpers/alerts-kit.ts";
import { MAX_NAME_LABELS } from "../src/metrics/daemon-metrics.ts";
import { createRun, startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";
import { startReceiver } from "./helpers/http-receiver.ts";
import { parsePrometheus, sampleValue } from "./helpers/prometheus.ts";
import { waitFor } from "./helpers/wait-for.ts";

let daemon: TestDaemon | null = null;
afterEach(async () => {
  await daemon?.close();
  daemon = null;
});

async function scrape(d: TestDaemon) {
  const response = await d.request("/metrics");
  expect(response.status).toBe(200);
  return parsePrometheus(await response.text());
}

const attempts = (d: TestDaemon) =>
  d.db.query<{ n: number }, []>("SELECT count(*) AS n FROM alert_attempts").get()!.n;

/** The deliveries counter's values for the "channel/outcome" pairs asked. */
function deliveries(m: ReturnType<typeof parsePrometheus>, asked: Record<string, number>) {
  return Object.fromEntries(
    Object.keys(asked).map((pair) => {
      const [channel, outcome] = pair.split("/") as [string, string];
      return [pair, sampleValue(m, "statusbox_alert_deliveries_total", { channel, outcome })];
    }),
  );
}

describe("GET /metrics", () => {
  test("needs a key; a read-only key is enough; answers the Prometheus text format", async () => {
    daemon = await startTestDaemon();
    expect((await daemon.request("/metrics", { key: null })).status).toBe(401);

    const readKey = daemon.keys.create("prometheus", "read").secret;
    const response = await daemon.request("/metrics", { key: readKey });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
    const families = parsePrometheus(await response.text());
    for (const name of families.keys()) expect(name).toMatch(/^statusbox_/);
    expect(families.get("statusbox_http_requests_total")?.type).toBe("counter");
    expect(families.get("statusbox_http_request_duration_seconds")?.type).toBe("histogram");
  });

  test("counts requests by route pattern and status, with a latency histogram", async () => {
    daemon = await startTestDaemon();
    for (let i = 0; i < 3; i++) await createRun(daemon);
    await daemon.request("/api/jobs/1");
    await daemon.request("/api/jobs/2");
    await daemon.request("/jobs/999");
    await daemon.request("/api/jobs/1", { key: null });
    await daemon.request("/no/such/route");

    const m = await scrape(daemon);
    const requests = (method: string, route: string, status: string) =>
      sampleValue(m, "statusbox_http_requests_total", { method, route, status });
    expect(requests("POST", "/api/jobs", "200")).toBe(3);
    expect(requests("GET", "/api/jobs/:id", "200")).toBe(2);
    expect(requests("GET", "/jobs/:id", "404")).toBe(1);
    expect(requests("GET", "/api/jobs/:id", "401")).toBe(1);
    expect(requests("GET", "unmatched", "404")).toBe(1);

    const labels = { method: "POST", route: "/api/jobs", status: "200" };
    const histogram = "statusbox_http_request_duration_seconds";
    expect(sampleValue(m, `${histogram}_count`, labels)).toBe(3);
    expect(sampleValue(m, `${histogram}_bucket`, { ...labels, le: "+Inf" })).toBe(3);
    expect(sampleValue(m, `${histogram}_sum`, labels)).toBeGreaterThan(0);
  });

  test("counts runs created and finished by name and status, and the runs still running", async () => {
    const clock = new ManualClock();
    daemon = await startTestDaemon({ clock });
    const backup1 = await createRun(daemon, { name: "backup", timeoutSeconds: 60 });
    await createRun(daemon, { name: "backup", timeoutSeconds: 600 });
    const etl = await createRun(daemon, { name: "etl", timeoutSeconds: 600 });
    const quick = await createRun(daemon, { name: "etl", timeoutSeconds: 1 });
    await daemon.post(`/jobs/${backup1}/complete`);
    await daemon.post(`/jobs/${etl}/fail`);
    clock.advance(1500);
    daemon.scheduler.tick();
    await waitFor(() => daemon!.runs.get(quick).status === "timed_out");

    const m = await scrape(daemon);
    expect(sampleValue(m, "statusbox_runs_created_total", { name: "backup" })).toBe(2);
    expect(sampleValue(m, "statusbox_runs_created_total", { name: "etl" })).toBe(2);
    const finished = (name: string, status: string) =>
      sampleValue(m, "statusbox_runs_finished_total", { name, status });
    expect(finished("backup", "completed")).toBe(1);
    expect(finished("etl", "failed")).toBe(1);
    expect(finished("etl", "timed_out")).toBe(1);
    expect(finished("backup", "failed")).toBeUndefined();
    expect(sampleValue(m, "statusbox_runs_running")).toBe(1);
    expect(sampleValue(m, "statusbox_timer_wheel_size", { kind: "deadline" })).toBe(1);
  });

  test("past 1,000 job names, new names are counted under (other), so series stay bounded", async () => {
    daemon = await startTestDaemon();
    const names = Array.from({ length: MAX_NAME_LABELS + 5 }, (_, i) => `job-${i}`);
    const ids: number[] = [];
    for (const name of names) ids.push(await createRun(daemon, { name, timeoutSeconds: 600 }));
    await daemon.post(`/jobs/${ids[0]}/fail`); // a name with its own label
    await daemon.post(`/jobs/${ids.at(-1)}/fail`); // a name past the limit
    await createRun(daemon, { name: "job-0", timeoutSeconds: 600 }); // known: keeps its label

    const m = await scrape(daemon);
    const created = m.get("statusbox_runs_created_total")!.samples;
    expect(created).toHaveLength(MAX_NAME_LABELS + 1);
    expect(sampleValue(m, "statusbox_runs_created_total", { name: "job-0" })).toBe(2);
    expect(sampleValue(m, "statusbox_runs_created_total", { name: "(other)" })).toBe(5);
    expect(sampleValue(m, "statusbox_runs_created_total", { name: names.at(-1)! })).toBeUndefined();
    const failed = (name: string) =>
      sampleValue(m, "statusbox_runs_finished_total", { name, status: "failed" });
    expect(failed("job-0")).toBe(1);
    expect(failed("(other)")).toBe(1);
  }, 30_000);

  test("the timer wheel size counts deadlines and schedule windows, by kind", async () => {
    daemon = await startTestDaemon();
    const put = (name: string, body: unknown) =>
      daemon!.request(`/api/schedules/${name}`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    expect((await put("hourly", { every: "1h" })).status).toBe(201);
    expect((await put("nightly", { cron: "0 3 * * *", grace: "10m" })).status).toBe(201);
    expect((await put("weekly", { every: "7d" })).status).toBe(201);
    await createRun(daemon, { name: "hourly", timeoutSeconds: 600 });
    await daemon.request("/api/schedules/weekly", { method: "DELETE" });

    const m = await scrape(daemon);
    const size = (kind: string) => sampleValue(m, "statusbox_timer_wheel_size", { kind });
    expect(size("deadline")).toBe(1);
    expect(size("schedule")).toBe(2);
  });

  test("a job name with quotes and backslashes is escaped and reads back", async () => {
    daemon = await startTestDaemon();
    const name = 'say "hi"\\ then bye';
    await createRun(daemon, { name, timeoutSeconds: 60 });
    const m = await scrape(daemon);
    expect(sampleValue(m, "statusbox_runs_created_total", { name })).toBe(1);
  });

  test("a histogram's buckets count every observation at or below their bound", () => {
    const registry = new Registry();
    const histogram = registry.histogram("statusbox_test_seconds", "A test.", ["route"], [1, 2, 5]);
    for (const value of [0.5, 1, 1.5, 2, 4.9, 5, 7, 100]) histogram.observe(["a"], value);
    histogram.observe(["b"], 3);
    const m = parsePrometheus(registry.render());

    const bucket = (route: string, le: string) =>
      sampleValue(m, "statusbox_test_seconds_bucket", { route, le });
    expect([bucket("a", "1"), bucket("a", "2"), bucket("a", "5"), bucket("a", "+Inf")]).toEqual([
      2, 4, 6, 8,
    ]);
    expect(sampleValue(m, "statusbox_test_seconds_count", { route: "a" })).toBe(8);
    expect(sampleValue(m, "statusbox_test_seconds_sum", { route: "a" })).toBe(121.9);
    expect([bucket("b", "2"), bucket("b", "5"), bucket("b", "+Inf")]).toEqual([0, 1, 1]);
  });

  test("a label value with a newline is escaped and reads back", () => {
    // Job names cannot hold one any more, but a database written before that rule may.
    const registry = new Registry();
    const value = 'line\nbreak "quoted" \\';
    registry.counter("statusbox_test_total", "A test counter.", ["name"]).inc([value]);
    const m = parsePrometheus(registry.render());
    expect(sampleValue(m, "statusbox_test_total", { name: value })).toBe(1);
  });

  test("events stored follows what is logged and what retention removes", async () => {
    const clock = new ManualClock();
    daemon = await startTestDaemon({ clock });
    const stored = async () => sampleValue(await scrape(daemon!), "statusbox_events_stored");
    await waitFor(async () => (await stored()) !== undefined, { what: "the first count" });

    const id = await createRun(daemon);
    await daemon.post(`/jobs/${id}`, { message: "one" });
    await daemon.post(`/api/jobs/${id}/events`, { messages: ["two", "three"] });
    await daemon.post(`/jobs/${id}/complete`);
    expect(await stored()).toBe(5);
    expect(sampleValue(await scrape(daemon), "statusbox_events_written_total")).toBe(5);

    clock.advance(61 * DAY_MS);
    await daemon.retention.runNow();
    const m = await scrape(daemon);
    expect(sampleValue(m, "statusbox_events_stored")).toBe(0);
    expect(sampleValue(m, "statusbox_retention_runs_deleted_total")).toBe(1);
    expect(sampleValue(m, "statusbox_retention_events_deleted_total", { reason: "age" })).toBe(5);
  });

  test("alert deliveries count each recorded attempt; retention never lowers them", async () => {
    const clock = new ManualClock();
    const receiver = startReceiver();
    // ops accepts; pager is down (503, retried), then refuses for good (404).
    let pagerCalls = 0;
    receiver.answer((request) =>
      request.path === "/ops" ? { status: 200 } : { status: ++pagerCalls <= 2 ? 503 : 404 },
    );
    const hook = (name: string, on = ["failed"]) => ({
      name,
      type: "webhook",
      url: `${receiver.url}/${name}`,
      on,
    });
    // quiet alerts on timeouts only, and none happens: its counts are there, at 0.
    const alerts = channelsOf([hook("ops"), hook("pager"), hook("quiet", ["timed_out"])]);
    daemon = await startTestDaemon({ clock, alerts });
    try {
      for (const name of ["backup", "etl"]) {
        await daemon.post(`/jobs/${await createRun(daemon, { name, timeoutSeconds: 60 })}/fail`);
      }
      await waitFor(() => attempts(daemon!) === 4, { what: "the first attempts" });
      clock.advance(10 * 60 * 1000); // past the pager's backoff
      await daemon.alerts.step();
      await waitFor(() => attempts(daemon!) === 6, { what: "the pager's retries" });

      const expected = {
        "ops/delivered": 2,
        "ops/failed": 0,
        "pager/failed": 2,
        "pager/permanent_failure": 2,
        "pager/delivered": 0,
        "quiet/delivered": 0,
      };
      // An attempt is in the database from its commit, and counted once its write is answered
      // (after the WAL sync): the last count may come a moment after the last row.
      const counted = await waitFor(
        async () => {
          const found = deliveries(await scrape(daemon!), expected);
          return Bun.deepEquals(found, expected) ? found : null;
        },
        { what: "every attempt counted" },
      );
      expect(counted).toEqual(expected);

      clock.advance(61 * DAY_MS);
      const report = await daemon.retention.runNow();
      expect(report).toMatchObject({ alertsDeleted: 4, alertAttemptsDeleted: 6 });
      expect(attempts(daemon)).toBe(0);
      expect(deliveries(await scrape(daemon), expected)).toEqual(expected);
    } finally {
      await receiver.stop();
    }
  });

  test("database and WAL sizes are the sizes of the files", async () => {
    daemon = await startTestDaemon();
    await createRun(daemon);
    const m = await scrape(daemon);
    expect(sampleValue(m, "statusbox_database_size_bytes")).toBe(statSync(daemon.dbPath).size);
    expect(sampleValue(m, "statusbox_wal_size_bytes")).toBe(statSync(`${daemon.dbPath}-wal`).size);
    expect(sampleValue(m, "statusbox_wal_size_bytes")).toBeGreaterThan(0);
  });
});

describe("metrics open on loopback", () => {
  const appWith = (openOnLoopback: boolean) =>
    createApp({
      runs: {} as never,
      keys: { verify: () => null } as never,
      logger: silentLogger,
      touchKey: () => {},
      metricsOpenOnLoopback: openOnLoopback,
    });
  const from = (address: string) => ({ requestIP: () => ({ address, family: "IPv4", port: 1 }) });

  test("when configured, a client on loopback scrapes without a key", async () => {
    const app = appWith(true);
    expect((await app.request("/metrics", {}, from("127.0.0.1"))).status).toBe(200);
    expect((await app.request("/metrics", {}, from("::1"))).status).toBe(200);
  });

  test("a client elsewhere still needs a key, and so does loopback when not configured", async () => {
    expect((await appWith(true).request("/metrics", {}, from("192.0.2.7"))).status).toBe(401);
    expect((await appWith(false).request("/metrics", {}, from("127.0.0.1"))).status).toBe(401);
  });
});

describe("the test's exposition parser", () => {
  test("refuses what Prometheus would refuse", async () => {
    expect(() => parsePrometheus("x 1\n")).toThrow(/outside its family/);
    expect(() => parsePrometheus('# TYPE x gauge\nx{a="1} 1\n')).toThrow(/malformed/);
    expect(() => parsePrometheus("# TYPE x gauge\nx 1\nx 2\n")).toThrow(/duplicate/);
    const notCumulative =
      '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1\n';
    expect(() => parsePrometheus(notCumulative)).toThrow(/cumulative/);
  });
});
