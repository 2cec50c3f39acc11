import { Database } from "bun:sqlite";
import { afterEach, beforeEach, describe, expect, test } from "bun:test";
import { existsSync, linkSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { checkCopy } from "../src/cli/commands/backup.ts";
import { runStatusbox } from "./helpers/binary.ts";
import { createRun, startTestDaemon } from "./helpers/daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

let out: { path: string; cleanup: () => void };
beforeEach(() => (out = makeTempDir("statusbox-backup-")));
afterEach(() => out.cleanup());

/** Fills the database with history, so that a copy takes long enough to race with writes. */
function fillHistory(db: Database, runs: number, eventsPerRun: number): void {
  const insertRun = db.query(
    `INSERT INTO runs (name, status, timeout_seconds, created_at, deadline_at, finished_at,
       event_count) VALUES (?, 'completed', 60, 0, 60000, 1000, ?)`,
  );
  const insertEvent = db.query(
    "INSERT INTO events (run_id, at, kind, message) VALUES (?, 0, 'log', ?)",
  );
  db.transaction(() => {
    for (let i = 0; i < runs; i++) {
      const id = Number(insertRun.run(`history-${i % 50}`, eventsPerRun).lastInsertRowid);
      for (let j = 0; j < eventsPerRun; j++) insertEvent.run(id, `line ${j} `.repeat(8));
    }
  })();
}

/** A read transaction on its own connection, holding the snapshot of now until released. */
function pinSnapshot(path: string): { release: () => void } {
  const db = new Database(path, { readonly: true });
  db.run("BEGIN");
  db.query("SELECT count(*) FROM runs").get(); // the first read is what takes the snapshot
  return {
    release: () => {
      db.run("COMMIT");
      db.close();
    },
  };
}

function runIdsIn(path: string): Set<number> {
  const db = new Database(path, { readonly: true });
  try {
    return new Set(
      db
        .query<{ id: number }, []>("SELECT id FROM runs")
        .all()
        .map((r) => r.id),
    );
  } finally {
    db.close();
  }
}

describe("statusbox backup", () => {
  test("a backup under write load passes integrity_check and holds every run acknowledged before it", async () => {
    const daemon = await startTestDaemon();
    try {
      fillHistory(daemon.db, 10_000, 10);
      // A read transaction from before the first acknowledged write: no checkpoint can copy a
      // later commit into the database file while it lasts, so every acknowledged write is in
      // the WAL only, and a copy of the file alone (cp) would miss them all, every time.
      const pin = pinSnapshot(daemon.dbPath);
      const acknowledged: number[] = [];
      let writing = true;
      const writer = async () => {
        while (writing) {
          const id = await createRun(daemon, { name: "under-load", timeoutSeconds: 600 });
          acknowledged.push(id);
          await daemon.post(`/jobs/${id}`, { message: "working" });
          if (id % 3 === 0) await daemon.post(`/jobs/${id}/complete`);
        }
      };
      const writers = [writer(), writer(), writer(), writer()];
      while (acknowledged.length < 50) await Bun.sleep(5);

      const before = [...acknowledged];
      const copy = join(out.path, "nested", "statusbox-backup.db");
      // The pin lasts until the backup has ended: the test cannot see the moment inside the
      // backup's process when its copy begins, and a consistent copy reads through the WAL.
      let result;
      try {
        result = await runStatusbox(["backup", "--out", copy, "--db", daemon.dbPath]);
      } finally {
        pin.release();
      }
      const duringBackup = acknowledged.length - before.length;
      writing = false;
      await Promise.all(writers);

      expect(result.stderr).toBe("");
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^Backed up .* to .*statusbox-backup\.db in [\d.]+s: /);
      expect(result.stdout).toContain("integrity check ok");
      // The daemon kept answering writes while the copy was made.
      expect(duringBackup).toBeGreaterThan(0);

      const check = checkCopy(copy);
      expect(check.ok).toBe(true);
      const ids = runIdsIn(copy);
      expect(before.filter((id) => !ids.has(id))).toEqual([]);
      expect(ids.size).toBeGreaterThanOrEqual(10_000 + before.length);
      expect(statSync(copy).mode & 0o777).toBe(0o600);
      expect(existsSync(`${copy}.partial-${process.pid}`)).toBe(false);
    } finally {
      await daemon.close();
    }
  }, 30_000);

  test("a daemon started on the copy serves what was backed up (restore)", async () => {
    const original = await startTestDaemon();
    const id = await createRun(original, { name: "restore-me", timeoutSeconds: 60 });
    await original.post(`/jobs/${id}/complete`);
    const copy = join(out.path, "copy.db");
    expect((await runStatusbox(["backup", "--out", copy, "--db", original.dbPath])).code).toBe(0);
    await original.close();

    const restored = await startTestDaemon({ dbPath: copy });
    try {
      const response = await restored.request(`/api/jobs/${id}`);
      expect(response.status).toBe(200);
      expect((await response.json()).job).toMatchObject({
        name: "restore-me",
        status: "completed",
      });
    } finally {
      await restored.close();
    }
  });

  test("refuses to replace an existing file unless --force", async () => {
    const daemon = await startTestDaemon();
    const copy = join(out.path, "copy.db");
    writeFileSync(copy, "keep me");
    try {
      const refused = await runStatusbox(["backup", "--out", copy, "--db", daemon.dbPath]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("exists; pass --force to replace it");
      expect(await Bun.file(copy).text()).toBe("keep me");

      const forced = await runStatusbox([
        "backup",
        "--out",
        copy,
        "--db",
        daemon.dbPath,
        "--force",
      ]);
      expect(forced.code).toBe(0);
      expect(checkCopy(copy).ok).toBe(true);
    } finally {
      await daemon.close();
    }
  });

  test("a missing database, or a folder, is an error and nothing is created", async () => {
    const missing = join(out.path, "nope.db");
    const copy = join(out.path, "copy.db");
    const result = await runStatusbox(["backup", "--out", copy, "--db", missing]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`no database at ${missing}`);
    expect(existsSync(missing)).toBe(false);
    expect(existsSync(copy)).toBe(false);

    const folder = await runStatusbox(["backup", "--out", copy, "--db", out.path]);
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain(`${out.path} is not a database file`);
  });

  test("--out is required, and may not be the database itself", async () => {
    const missingOut = await runStatusbox(["backup", "--db", join(out.path, "x.db")]);
    expect(missingOut.code).toBe(2);
    expect(missingOut.stderr).toContain("--out FILE is required");
    expect(missingOut.stderr).toContain("Usage: statusbox backup");

    const daemon = await startTestDaemon();
    try {
      const same = await runStatusbox(["backup", "--out", daemon.dbPath, "--db", daemon.dbPath]);
      expect(same.code).toBe(1);
      expect(same.stderr).toContain("--out is the database itself");
    } finally {
      await daemon.close();
    }
  });

  test("--force never replaces the database or its companion files, by any name", async () => {
    const daemon = await startTestDaemon();
    const links = makeTempDir();
    try {
      await createRun(daemon);
      symlinkSync(daemon.dir, join(links.path, "through-link"));
      linkSync(daemon.dbPath, join(links.path, "hard-link.db"));
      const cases: [string, string][] = [
        [`${daemon.dbPath}-wal`, "its -wal file"],
        [`${daemon.dbPath}-shm`, "its -shm file"],
        [`${daemon.dbPath}.lock`, "its lock file"],
        [join(links.path, "through-link", basename(daemon.dbPath)), "the database itself"],
        [join(links.path, "hard-link.db"), "the database itself"],
      ];
      for (const [target, what] of cases) {
        const result = await runStatusbox([
          "backup",
          "--out",
          target,
          "--db",
          daemon.dbPath,
          "--force",
        ]);
        expect(result.code, target).toBe(1);
        expect(result.stderr).toContain(`--out is ${what}; a backup must go to another file`);
      }
      const runs = await (await daemon.request("/api/jobs")).json();
      expect(runs.jobs).toHaveLength(1);
    } finally {
      await daemon.close();
      links.cleanup();
    }
  });

  test("the integrity check finds a damaged copy", () => {
    const path = join(out.path, "damaged.db");
    const db = new Database(path, { create: true });
    db.run("CREATE TABLE runs (id INTEGER PRIMARY KEY, name TEXT)");
    db.run("CREATE TABLE events (id INTEGER PRIMARY KEY, message TEXT)");
    db.run("CREATE INDEX runs_name ON runs (name)");
    const insert = db.query("INSERT INTO runs (name) VALUES (?)");
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run(`name-${i}`);
    })();
    db.close();

    expect(checkCopy(path).ok).toBe(true);
    // Scribble over the b-tree page headers of every page but the first.
    const bytes = new Uint8Array(readFileSync(path));
    for (let page = 4096; page < bytes.length; page += 4096) bytes.fill(0xff, page, page + 12);
    writeFileSync(path, bytes);
    const damaged = checkCopy(path);
    expect(damaged.ok).toBe(false);
    if (!damaged.ok) expect(damaged.problem.length).toBeGreaterThan(0);
  });
});
