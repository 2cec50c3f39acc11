import { Database } from "bun:sqlite";
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { describeBadAnswer } from "./helpers/error-shape.ts";
import { spawnKeyedDaemon, type KeyedDaemon } from "./helpers/keyed-daemon.ts";
import { openFds, rssMiB } from "./helpers/process-stats.ts";
import { Probe, type ProbeReport } from "./helpers/probe.ts";
import { httpRequest, RawConnection } from "./helpers/raw-http.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

// A real process, so that its memory and sockets are its own and can be measured.
const dir = makeTempDir();
const dbPath = join(dir.path, "overload.db");
let daemon: KeyedDaemon;
let auth: Record<string, string>;
let idle: ProbeReport;
const memory: Record<string, number> = {};
const stalled: RawConnection[] = [];
let stalledAt = 0;

beforeAll(async () => {
  daemon = await spawnKeyedDaemon(dbPath);
  auth = daemon.auth;
  // Warm up, then measure what a lone client sees.
  await new Probe(`${daemon.url}/api/jobs?limit=5`, auth).measure(100);
  idle = await new Probe(`${daemon.url}/api/jobs?limit=5`, auth).measure(200);
  memory.start = Math.round(rssMiB(daemon.proc.pid)!);
});

afterAll(async () => {
  for (const connection of stalled) connection.destroy();
  const code = await daemon.stop();
  console.log(
    `overload: idle probe p50 ${idle.p50.toFixed(1)} ms, p99 ${idle.p99.toFixed(1)} ms;`,
    `daemon RSS (MiB) ${JSON.stringify(memory)}; exit ${code}`,
  );
  dir.cleanup();
});

const create = (name: string) =>
  httpRequest("POST", "/api/jobs/", auth, JSON.stringify({ name, timeoutSeconds: 600 }));

/** Enough probe answers that their p99 is not merely the slowest one or two. */
const MIN_PROBES = 100;

/**
 * What a probe's p99 must stay under, from what it was over several runs on a 2-core machine
 * (idle p99 0.7-1.5 ms). Beside clients that trickle or hang up it was 2-5 ms: ten times the
 * idle p99, and at least 50 ms, leaves room for a loaded machine yet catches a loop that such
 * clients hold up for a moment (the old bound, idle + 500 ms, caught only whole seconds). In
 * a burst of 1,000 requests at once a probe queues behind a share of them: 30-90 ms, so
 * 300 ms, which still catches the loop held up for a third of a second.
 */
const p99Bound = (load: "burst" | "trickle") =>
  load === "burst" ? 300 : Math.max(10 * idle.p99, 50);

/**
 * Runs `runWave` again and again while four probes read, until they have MIN_PROBES answers
 * (a burst of 1,000 connections is over in a tenth of a second: one wave gives a handful).
 * No probe may fail, and their p99 must stay under the bound for that `load`.
 */
async function whileProbing(
  what: string,
  load: "burst" | "trickle",
  runWave: (wave: number) => Promise<void>,
): Promise<{ report: ProbeReport; waves: number }> {
  const probe = new Probe(`${daemon.url}/api/jobs?limit=5`, auth, 5000).start(4);
  let waves = 0;
  while (waves === 0 || (probe.answered < MIN_PROBES && waves < 100)) await runWave(waves++);
  const report = await probe.stop();
  memory[what] = Math.round(rssMiB(daemon.proc.pid)!);
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log(
    `overload: ${what}: waves ${waves}, probes ${report.answered}, p50 ${ms(report.p50)},`,
    `p99 ${ms(report.p99)}, max ${ms(report.max)} (bound ${ms(p99Bound(load))})`,
  );
  expect(report.failures).toEqual([]);
  expect(report.answered).toBeGreaterThanOrEqual(MIN_PROBES);
  expect(report.p99).toBeLessThan(p99Bound(load));
  return { report, waves };
}

function countRuns(where: string, ...params: string[]): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return (
      db.query(`SELECT count(*) AS n FROM runs WHERE ${where}`).get(...params) as {
        n: number;
      }
    ).n;
  } finally {
    db.close();
  }
}

describe("overload and hostile clients", () => {
  test("1,000 concurrent connections each get their answer while others are served", async () => {
    const { waves } = await whileProbing("1000 connections", "burst", async (wave) => {
      const connections = await Promise.all(
        Array.from({ length: 1000 }, () => RawConnection.open(daemon.url)),
      );
      connections.forEach((connection, i) => connection.write(create(`conn-${wave}-${i}`)));
      const answers = await Promise.all(connections.map((c) => c.response(20_000)));
      for (const c of connections) c.destroy();

      expect(answers.filter((a) => a?.status === 200).length).toBe(1000);
    });
    expect(countRuns("name LIKE 'conn-%'")).toBe(1000 * waves);
  }, 30_000);

  test("clients sending a byte at a time are answered and hold up no one", async () => {
    // Clients that stop part-way and stay connected, held through the rest of the file.
    stalled.push(
      ...(await Promise.all(
        Array.from({ length: 500 }, async (_, i) => {
          const connection = await RawConnection.open(daemon.url);
          const request = create(`stalled-${i}`);
          connection.write(request.slice(0, i % 2 ? 30 : request.length - 5));
          return connection;
        }),
      )),
    );
    stalledAt = Date.now();

    const { waves } = await whileProbing("slow clients", "trickle", async (wave) => {
      const slowHeaders = Array.from({ length: 40 }, async (_, i) => {
        const connection = await RawConnection.open(daemon.url);
        await connection.trickle(create(`slow-head-${wave}-${i}`), 1, 8);
        return connection;
      });
      const slowBodies = Array.from({ length: 40 }, async (_, i) => {
        const connection = await RawConnection.open(daemon.url);
        const request = create(`slow-body-${wave}-${i}`);
        const split = request.indexOf("\r\n\r\n") + 4;
        connection.write(request.slice(0, split));
        await connection.trickle(request.slice(split), 1, 20);
        return connection;
      });
      const connections = await Promise.all([...slowHeaders, ...slowBodies]);
      const answers = await Promise.all(connections.map((c) => c.response(10_000)));
      for (const c of connections) c.destroy();
      expect(answers.map((a) => a?.status)).toEqual(connections.map(() => 200));
    });
    expect(countRuns("name LIKE 'slow-%'")).toBe(80 * waves);
  }, 30_000);

  test("clients hanging up mid-request leave nothing half-stored, no socket", async () => {
    const fdsBefore = openFds(daemon.proc.pid)!;
    await whileProbing("hang-ups", "trickle", async (wave) => {
      // Batches of 100 for about a second and a half, so that the probe sees them all along.
      for (let batch = 0; batch < 15; batch++) {
        const hangUps = Array.from({ length: 100 }, async (_, n) => {
          const i = batch * 100 + n;
          const connection = await RawConnection.open(daemon.url);
          const request = create(`${["head", "body", "whole"][i % 3]}-gone-${wave}-${i}`);
          const cut = [request.indexOf("\r\n") + 8, request.length - 9, request.length][i % 3]!;
          connection.write(request.slice(0, cut));
          await Bun.sleep(i % 20);
          connection.destroy();
        });
        await Promise.all(hangUps);
        await Bun.sleep(50);
      }
    });

    // A cut request never reaches the API; a whole one may have been stored before the
    // hang-up, and then completely (its creation event with it).
    expect(countRuns("name LIKE 'head-gone-%' OR name LIKE 'body-gone-%'")).toBe(0);
    expect(
      countRuns(
        "name LIKE 'whole-gone-%' AND NOT EXISTS (SELECT 1 FROM events WHERE run_id = runs.id)",
      ),
    ).toBe(0);
    await waitFor(() => openFds(daemon.proc.pid)! <= fdsBefore + 5, { what: "sockets closed" });
  });

  test("a body over the limit is refused by its Content-Length without being read", async () => {
    for (const length of [1024 * 1024 + 1, 64 * 1024 * 1024, 10 * 1024 ** 3]) {
      const connection = await RawConnection.open(daemon.url);
      const head = httpRequest("POST", "/api/jobs/", { ...auth, "Content-Length": String(length) });
      connection.write(head);

      // Not a byte of the body yet: an answer now can come only from the Content-Length.
      const answer = await connection.response(5000);
      expect(answer?.status).toBe(413);
      expect(describeBadAnswer(413, new Headers(answer!.headers), answer!.body)).toBeNull();

      // The body the client then starts to send is neither read nor drained: it hangs up.
      for (let i = 0; i < 16 && !connection.closed; i++) connection.write(" ".repeat(4096));
      expect(await connection.waitClosed(5000)).toBe(true);
    }
  });

  test("a chunked body is refused past the limit on every route that reads one", async () => {
    const id = (
      (await (
        await fetch(`${daemon.url}/api/jobs/`, {
          method: "POST",
          headers: auth,
          body: JSON.stringify({ name: "chunked", timeoutSeconds: 60 }),
        })
      ).json()) as { id: number }
    ).id;
    for (const path of [
      "/api/jobs/",
      `/jobs/${id}`,
      `/api/jobs/${id}/events`,
      `/jobs/${id}/fail`,
    ]) {
      let pulled = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          // 64 MiB at most, in 64 KiB chunks; the daemon should stop reading after 1 MiB.
          if (pulled >= 64 * 1024 * 1024) return controller.close();
          pulled += 65536;
          controller.enqueue(new Uint8Array(65536).fill(32));
        },
      });
      const response = await fetch(daemon.url + path, { method: "POST", headers: auth, body });
      const text = await response.text();
      expect({ path, status: response.status }).toEqual({ path, status: 413 });
      expect(describeBadAnswer(413, response.headers, text)).toBeNull();
      expect(pulled).toBeLessThan(16 * 1024 * 1024);
    }
    const run = await (await fetch(`${daemon.url}/api/jobs/${id}`, { headers: auth })).json();
    expect((run as { job: { status: string; eventCount: number } }).job).toMatchObject({
      status: "running",
      eventCount: 1,
    });
  });

  test("memory stays bounded when the same hostile load comes again", async () => {
    const afterFirst = rssMiB(daemon.proc.pid)!;
    await whileProbing("second wave", "burst", async (wave) => {
      const connections = await Promise.all(
        Array.from({ length: 1000 }, () => RawConnection.open(daemon.url)),
      );
      connections.forEach((c, i) =>
        c.write(i % 2 ? create(`again-${wave}-${i}`) : create("x").slice(0, 40)),
      );
      await Promise.all(connections.filter((_, i) => i % 2).map((c) => c.response(20_000)));
      for (const c of connections) c.destroy();
    });
    const afterSecond = rssMiB(daemon.proc.pid)!;
    // A second wave like the first may not keep what the first left: growth per wave is
    // bounded, not cumulative (the first wave pays for warm caches and pools).
    expect(afterSecond - afterFirst).toBeLessThan(64);
    expect(afterSecond).toBeLessThan(memory.start! + 256);
  });

  test("connections that stall mid-request are closed by the daemon's idle timeout", async () => {
    expect(stalled.length).toBe(500);
    const closed = await Promise.all(
      stalled.map((c) => c.waitClosed(Math.max(0, stalledAt + 20_000 - Date.now()))),
    );
    console.log(`overload: stalled connections closed after ${Date.now() - stalledAt} ms`);
    expect(closed.every(Boolean)).toBe(true);
    expect(countRuns("name LIKE 'stalled-%'")).toBe(0);
  }, 30_000);
});
