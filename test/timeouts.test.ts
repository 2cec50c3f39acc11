import { describe, expect, test } from "bun:test";
import { ManualClock } from "../src/domain/clock.ts";
import { createRun, startTestDaemon } from "./helpers/daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

const jobOf = async (daemon: Awaited<ReturnType<typeof startTestDaemon>>, id: number) =>
  (await (await daemon.request(`/api/jobs/${id}`)).json()).job;

describe("timeouts while the daemon runs", () => {
  test("marks the run timed out at its deadline, with finishedAt = deadline", async () => {
    const clock = new ManualClock();
    const daemon = await startTestDaemon({ clock });
    try {
      const id = await createRun(daemon, { name: "slow", timeoutSeconds: 30 });
      clock.advance(29_999);
      expect(daemon.scheduler.tick()).toEqual([]);
      expect((await jobOf(daemon, id)).status).toBe("running");

      clock.advance(1);
      expect(daemon.scheduler.tick()).toEqual([id]);
      const run = await waitFor(async () => {
        const current = await jobOf(daemon, id);
        return current.status === "timed_out" && current;
      });
      expect(run.finishedAt).toBe(run.deadlineAt);
      expect(run.durationMs).toBe(30_000);
      const events = (await (await daemon.request(`/api/jobs/${id}/events`)).json()).events;
      expect(events.at(-1)).toMatchObject({ kind: "status", at: run.deadlineAt });
      expect(events.at(-1).message).toContain("timed_out");
    } finally {
      await daemon.close();
    }
  });

  test("a run ended before its deadline never times out", async () => {
    const clock = new ManualClock();
    const daemon = await startTestDaemon({ clock });
    try {
      const id = await createRun(daemon, { name: "quick", timeoutSeconds: 5 });
      await daemon.post(`/jobs/${id}/complete`);
      clock.advance(60_000);
      expect(daemon.scheduler.tick()).toEqual([]);
      expect((await jobOf(daemon, id)).status).toBe("completed");
    } finally {
      await daemon.close();
    }
  });

  test("an end signal after the deadline meets a timed-out run, whatever the timer did", async () => {
    const clock = new ManualClock();
    const daemon = await startTestDaemon({ clock });
    try {
      const id = await createRun(daemon, { name: "late", timeoutSeconds: 10 });
      clock.advance(12_500); // no tick: the timer has not fired yet
      const response = await daemon.post(`/jobs/${id}/complete`);
      expect(response.status).toBe(409);
      const run = await jobOf(daemon, id);
      expect(run.status).toBe("timed_out");
      expect(run.finishedAt).toBe(run.deadlineAt);
      expect(run.reportedDurationMs).toBe(12_500);
    } finally {
      await daemon.close();
    }
  });

  test("fail after a timeout answers 409 and records the real duration", async () => {
    const clock = new ManualClock();
    const daemon = await startTestDaemon({ clock });
    try {
      const id = await createRun(daemon, { name: "late", timeoutSeconds: 1 });
      clock.advance(1_000);
      daemon.scheduler.tick();
      await waitFor(async () => (await jobOf(daemon, id)).status === "timed_out");
      clock.advance(4_000);
      const response = await daemon.post(`/jobs/${id}/fail`, { exitCode: 2 });
      expect(response.status).toBe(409);
      expect((await response.json()).error).toContain("timed_out");
      const run = await jobOf(daemon, id);
      expect(run).toMatchObject({
        status: "timed_out",
        durationMs: 1_000,
        reportedDurationMs: 5_000,
      });
    } finally {
      await daemon.close();
    }
  });

  test("with the real clock a run is timed out within a second of its deadline", async () => {
    const daemon = await startTestDaemon();
    try {
      const id = await createRun(daemon, { name: "real", timeoutSeconds: 0.2 });
      const deadline = Date.parse((await jobOf(daemon, id)).deadlineAt);
      let seenAt = 0;
      const run = await waitFor(
        async () => {
          const current = await jobOf(daemon, id);
          seenAt = Date.now(); // after the answer: the status was timed_out by this moment
          return current.status === "timed_out" && current;
        },
        { timeoutMs: deadline + 1000 - Date.now(), intervalMs: 10, what: "timed_out" },
      );
      expect(seenAt).toBeLessThanOrEqual(deadline + 1000);
      expect(run.finishedAt).toBe(run.deadlineAt);
    } finally {
      await daemon.close();
    }
  });
});

describe("timeouts across a restart", () => {
  test("deadlines that passed while down are marked at the deadline; the rest still fire", async () => {
    const dir = makeTempDir();
    const dbPath = `${dir.path}/restart.db`;
    const clock = new ManualClock();
    let daemon = await startTestDaemon({ dbPath, clock });
    const short = await createRun(daemon, { name: "short", timeoutSeconds: 60 });
    const long = await createRun(daemon, { name: "long", timeoutSeconds: 3600 });
    const done = await createRun(daemon, { name: "done", timeoutSeconds: 60 });
    await daemon.post(`/jobs/${done}/complete`);
    await daemon.stop();

    clock.advance(10 * 60_000); // down for ten minutes
    daemon = await startTestDaemon({ dbPath, clock });
    try {
      const shortRun = await jobOf(daemon, short);
      expect(shortRun.status).toBe("timed_out");
      expect(shortRun.finishedAt).toBe(shortRun.deadlineAt);
      expect((await jobOf(daemon, long)).status).toBe("running");
      expect((await jobOf(daemon, done)).status).toBe("completed");
      expect(daemon.scheduler.size).toBe(1);

      clock.advance(3600_000);
      expect(daemon.scheduler.tick()).toEqual([long]);
      const longRun = await waitFor(async () => {
        const current = await jobOf(daemon, long);
        return current.status === "timed_out" && current;
      });
      expect(longRun.finishedAt).toBe(longRun.deadlineAt);
    } finally {
      await daemon.stop();
      dir.cleanup();
    }
  });
});
