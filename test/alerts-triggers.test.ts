import { describe, expect, test } from "bun:test";
import { compileGlob, compileJobFilter } from "../src/alerts/glob.ts";
import { alertKit } from "./helpers/alerts-kit.ts";

const hook = (extra: Record<string, unknown> = {}) => ({
  name: "hook",
  type: "webhook",
  url: "http://127.0.0.1:9/hook",
  ...extra,
});

describe("globs on run names", () => {
  test("* matches any run of characters, ? exactly one, \\ makes the next one literal", () => {
    const matches = (pattern: string, name: string) => compileGlob(pattern).test(name);
    expect(matches("backup-*", "backup-db")).toBe(true);
    expect(matches("backup-*", "backup-")).toBe(true);
    expect(matches("backup-*", "db-backup")).toBe(false);
    expect(matches("backup-*", "Backup-db")).toBe(false);
    expect(matches("*/nightly", "eu/west/nightly")).toBe(true);
    expect(matches("job-?", "job-7")).toBe(true);
    expect(matches("job-?", "job-17")).toBe(false);
    expect(matches("job-?", "job-🚀")).toBe(true);
    expect(matches("a.b", "axb")).toBe(false);
    expect(matches("price-\\*", "price-*")).toBe(true);
    expect(matches("price-\\*", "price-1")).toBe(false);
    expect(matches("(x)+[y]", "(x)+[y]")).toBe(true);
    expect(matches("*db*", "backup-db-eu")).toBe(true);
    expect(matches("a*b*c", "abxbxc")).toBe(true);
    expect(matches("a*b*c", "abxbxd")).toBe(false);
    expect(matches("**", "")).toBe(true);
    expect(matches("?*", "")).toBe(false);
  });

  test("a glob of many stars against a long name that fails still answers", () => {
    // As a regular expression this pattern backtracks exponentially (26 s for 8 stars): with
    // such a matcher the test would not end within the test timeout.
    const glob = compileGlob("*a*a*a*a*a*a*a*a*a*a*b");
    for (let i = 0; i < 100; i++) expect(glob.test("a".repeat(64))).toBe(false);
    expect(glob.test(`${"a".repeat(63)}b`)).toBe(true);
  });

  test("a jobs list matches when any glob does; no list matches every run", () => {
    const filter = compileJobFilter(["backup-*", "cert-renew"]);
    expect(["backup-db", "cert-renew"].map(filter)).toEqual([true, true]);
    expect(filter("cert-renewal")).toBe(false);
    expect(compileJobFilter(null)("anything")).toBe(true);
  });
});

describe("which state changes queue an alert", () => {
  test("a failed run queues one alert with the run, its last events, what happened", async () => {
    const kit = alertKit([hook()]);
    try {
      const run = await kit.runs.create({ name: "backup-db", timeoutSeconds: 60, version: "2.1" });
      await kit.runs.log(run.id, [
        { message: "copying" },
        { message: "disk full", stream: "stderr" },
      ]);
      kit.clock.advance(12_300);
      await kit.runs.end(run.id, "fail", { message: "no space left", exitCode: 2 });

      const [alert, ...rest] = kit.outbox();
      expect(rest).toEqual([]);
      expect(alert).toMatchObject({
        channel: "hook",
        run_id: run.id,
        trigger: "failed",
        state: "pending",
        attempts: 0,
      });
      expect(alert!.next_attempt_at).toBe(kit.clock.now());
      expect(alert!.payload).toMatchObject({
        trigger: "failed",
        channel: "hook",
        summary: "backup-db #1 failed after 12.3s (exit code 2): no space left",
        idempotencyKey: alert!.idempotency_key,
        test: false,
        run: {
          id: run.id,
          name: "backup-db",
          version: "2.1",
          status: "failed",
          exitCode: 2,
          durationMs: 12_300,
        },
      });
      const messages = alert!.payload.events.map((e) => e.message);
      expect(messages).toEqual([
        "running (timeout 60s)",
        "copying",
        "disk full",
        "failed: exit code 2, no space left",
      ]);
    } finally {
      await kit.close();
    }
  });

  test("a channel hears only the triggers in its on", async () => {
    const kit = alertKit([hook({ on: ["cancelled", "completed"] })]);
    try {
      await kit.finish("a", "fail");
      await kit.finish("b", "cancel");
      await kit.finish("c", "complete");
      expect(kit.outbox().map((a) => a.trigger)).toEqual(["cancelled", "completed"]);
    } finally {
      await kit.close();
    }
  });

  test("on defaults to failed and timed_out", async () => {
    const kit = alertKit([hook()]);
    try {
      await kit.finish("a", "complete");
      await kit.finish("a", "cancel");
      await kit.finish("a", "fail");
      const run = await kit.runs.create({ name: "a", timeoutSeconds: 5 });
      kit.clock.advance(5000);
      expect((await kit.runs.expire([run.id])).length).toBe(1);
      expect(kit.outbox().map((a) => a.trigger)).toEqual(["failed", "timed_out"]);
    } finally {
      await kit.close();
    }
  });

  test("jobs globs choose which runs a channel hears; every channel decides alone", async () => {
    const kit = alertKit([
      hook({ name: "backups", jobs: ["backup-*"] }),
      hook({ name: "certs", jobs: ["cert-?", "tls-*"] }),
      hook({ name: "all" }),
    ]);
    try {
      for (const name of ["backup-db", "db-backup", "cert-1", "tls-renew", "cert-10"]) {
        await kit.finish(name, "fail");
      }
      const heard = (channel: string) =>
        kit
          .outbox()
          .filter((a) => a.channel === channel)
          .map((a) => a.payload.run.name);
      expect(heard("backups")).toEqual(["backup-db"]);
      expect(heard("certs")).toEqual(["cert-1", "tls-renew"]);
      expect(heard("all")).toEqual(["backup-db", "db-backup", "cert-1", "tls-renew", "cert-10"]);
    } finally {
      await kit.close();
    }
  });

  test("recovered: the first completed run of a name after it failed or timed out", async () => {
    const kit = alertKit([hook({ on: ["recovered"] })]);
    try {
      await kit.finish("etl", "complete"); // first run ever: nothing to recover from
      await kit.finish("etl", "fail");
      await kit.finish("etl", "fail");
      await kit.finish("other", "complete"); // another name's history is its own
      await kit.finish("etl", "complete"); // recovered
      await kit.finish("etl", "complete"); // already healthy
      await kit.finish("etl", "fail");
      await kit.finish("etl", "cancel"); // an abort says nothing about health: skipped
      await kit.finish("etl", "complete"); // recovered again

      const alerts = kit.outbox();
      expect(alerts.map((a) => [a.payload.run.id, a.trigger])).toEqual([
        [5, "recovered"],
        [9, "recovered"],
      ]);
      expect(alerts[0]!.payload.failuresInARow).toBe(2);
      expect(alerts[0]!.payload.summary).toBe(
        "etl #5 recovered: completed in 1s after 2 runs that went wrong",
      );
    } finally {
      await kit.close();
    }
  });

  test("a run that timed out also counts as gone wrong for recovered", async () => {
    const kit = alertKit([hook({ on: ["recovered", "timed_out"] })]);
    try {
      const run = await kit.runs.create({ name: "sync", timeoutSeconds: 1 });
      kit.clock.advance(1000);
      await kit.runs.expire([run.id]);
      await kit.finish("sync", "complete");
      expect(kit.outbox().map((a) => a.trigger)).toEqual(["timed_out", "recovered"]);
    } finally {
      await kit.close();
    }
  });

  test("a channel on both recovered and completed gets one alert, recovered", async () => {
    const kit = alertKit([hook({ on: ["completed", "recovered"] })]);
    try {
      await kit.finish("x", "fail");
      await kit.finish("x", "complete");
      await kit.finish("x", "complete");
      expect(kit.outbox().map((a) => a.trigger)).toEqual(["recovered", "completed"]);
    } finally {
      await kit.close();
    }
  });

  test("a repeated or refused end signal queues nothing more", async () => {
    const kit = alertKit([hook({ on: ["failed", "completed", "cancelled"] })]);
    try {
      const id = await kit.finish("x", "fail");
      expect((await kit.runs.end(id, "fail")).kind).toBe("repeat");
      expect((await kit.runs.end(id, "complete")).kind).toBe("rejected");
      expect(kit.outbox().length).toBe(1);
    } finally {
      await kit.close();
    }
  });
});

describe("threshold", () => {
  test("threshold = 3 alerts only once the last 3 runs of the name all went wrong", async () => {
    const kit = alertKit([hook({ threshold: 3 })]);
    try {
      await kit.finish("nightly", "fail");
      await kit.finish("nightly", "fail");
      expect(kit.outbox()).toEqual([]);

      await kit.finish("nightly", "cancel"); // skipped: neither a success nor a failure
      const run = await kit.runs.create({ name: "nightly", timeoutSeconds: 1 });
      kit.clock.advance(1000);
      await kit.runs.expire([run.id]); // the third in a row, as a timeout
      await kit.finish("nightly", "fail"); // the fourth: still all of the last 3
      expect(kit.outbox().map((a) => [a.trigger, a.payload.failuresInARow])).toEqual([
        ["timed_out", 3],
        ["failed", 4],
      ]);
      expect(kit.outbox()[0]!.payload.summary).toContain("(3 in a row)");

      await kit.finish("nightly", "complete");
      await kit.finish("nightly", "fail");
      await kit.finish("nightly", "fail");
      expect(kit.outbox().length).toBe(2); // the streak started over
    } finally {
      await kit.close();
    }
  });

  test("with a threshold, recovered follows only a streak that reached it", async () => {
    const kit = alertKit([hook({ threshold: 2, on: ["failed", "recovered"] })]);
    try {
      await kit.finish("job", "fail");
      await kit.finish("job", "complete"); // one failure, never alerted: no recovery either
      await kit.finish("job", "fail");
      await kit.finish("job", "fail");
      await kit.finish("job", "complete");
      expect(kit.outbox().map((a) => a.trigger)).toEqual(["failed", "recovered"]);
    } finally {
      await kit.close();
    }
  });
});

describe("cooldown", () => {
  test("one alert per name and channel in the window; the next counts those held", async () => {
    const kit = alertKit([hook({ cooldown: "30m" }), hook({ name: "loud" })]);
    try {
      await kit.finish("backup", "fail"); // sent, opens the window
      kit.clock.advance(5 * 60_000);
      await kit.finish("backup", "fail"); // held
      await kit.finish("report", "fail"); // another name: its own window
      kit.clock.advance(10 * 60_000);
      await kit.finish("backup", "fail"); // held
      kit.clock.advance(15 * 60_000); // 30m + 3s after the first
      await kit.finish("backup", "fail"); // sent, with 2 held back

      const cooled = kit.outbox().filter((a) => a.channel === "hook");
      expect(cooled.map((a) => [a.payload.run.name, a.payload.heldBack])).toEqual([
        ["backup", 0],
        ["report", 0],
        ["backup", 2],
      ]);
      expect(cooled[2]!.payload.summary).toEndWith("(+2 alerts held back by cooldown)");
      expect(kit.outbox().filter((a) => a.channel === "loud").length).toBe(5);
    } finally {
      await kit.close();
    }
  });

  test("the window restarts at each alert sent, and held counts reset", async () => {
    const kit = alertKit([hook({ cooldown: "1m", on: ["failed", "recovered"] })]);
    try {
      await kit.finish("x", "fail", 1000); // t=1s: sent
      await kit.finish("x", "complete", 30_000); // t=31s: recovered, held
      await kit.finish("x", "fail", 40_000); // t=71s: sent (+1)
      await kit.finish("x", "fail", 70_000); // t=141s: sent, nothing held
      expect(kit.outbox().map((a) => [a.trigger, a.payload.heldBack])).toEqual([
        ["failed", 0],
        ["failed", 1],
        ["failed", 0],
      ]);
    } finally {
      await kit.close();
    }
  });
});
