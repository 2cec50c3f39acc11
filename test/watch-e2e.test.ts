import { afterAll, beforeAll, expect, test } from "bun:test";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "./helpers/binary.ts";
import { spawnDaemon, type DaemonProcess } from "./helpers/process-daemon.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";
import { waitFor } from "./helpers/wait-for.ts";

/**
 * The compiled binary in a real terminal (tmux) against a database a real daemon process is
 * writing: what a person sees over ssh. Builds the binary once when STATUSBOX_BIN is not set
 * (CI runs the tests before its own build step).
 */
const temp = makeTempDir("statusbox-watch-e2e-");
const socket = `statusbox-e2e-${process.pid}`;
let bin: string;
let daemon: DaemonProcess;
const dbPath = join(temp.path, "data", "statusbox.db");

/**
 * Opens a tmux session running `watch` from a script file (no quoting through tmux's shell),
 * which prints the exit code of `watch` when it ends and then keeps the pane open. `before`
 * is shell run first; `stderrTo` sends the standard error of `watch` to that file.
 */
async function openSession(
  name: string,
  columns: number,
  rows: number,
  shell: { before?: string; stderrTo?: string } = {},
) {
  const script = join(temp.path, `${name}.sh`);
  const redirect = shell.stderrTo === undefined ? "" : ` 2>'${shell.stderrTo}'`;
  const watch = `'${bin}' watch --db '${dbPath}'${redirect}`;
  writeFileSync(script, `${shell.before ?? ""}${watch}\necho "EXIT=$?"\nsleep 600\n`);
  await tmux(
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    String(columns),
    "-y",
    String(rows),
    `/bin/sh ${script}`,
  );
  const sessions = await tmux("list-sessions", "-F", "#{session_name}");
  if (!sessions.split("\n").includes(name)) throw new Error(`no tmux session ${name}: ${sessions}`);
}

beforeAll(async () => {
  bin = await compiledBinary();
  daemon = await spawnDaemon(dbPath);
}, 120_000);

afterAll(async () => {
  await tmux("kill-server").catch(() => {});
  await daemon?.stop();
  temp.cleanup();
});

async function compiledBinary(): Promise<string> {
  const given = process.env.STATUSBOX_BIN;
  if (given && existsSync(given)) return resolve(given);
  const out = join(temp.path, "statusbox");
  const build = Bun.spawn([process.execPath, "scripts/build.ts", out], {
    cwd: REPO_ROOT,
    stdout: "pipe",
    stderr: "pipe",
  });
  if ((await build.exited) !== 0) throw new Error(await new Response(build.stderr).text());
  return out;
}

/** Runs tmux on this test's own server, so that nothing else's sessions are touched. */
async function tmux(...args: string[]): Promise<string> {
  const proc = Bun.spawn(["tmux", "-u", "-L", socket, "-f", "/dev/null", ...args], {
    env: { ...process.env, LANG: "C.UTF-8", TERM: "xterm-256color" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`tmux ${args.join(" ")}: ${err}`);
  return out;
}

const screen = (session: string) => tmux("capture-pane", "-p", "-t", session);
const showsIn = (session: string, text: string | RegExp, timeoutMs = 10_000) =>
  waitFor(
    async () => {
      const shown = await screen(session);
      return (typeof text === "string" ? shown.includes(text) : text.test(shown)) ? shown : null;
    },
    { timeoutMs, intervalMs: 50, what: `the terminal to show ${text}` },
  );
const shows = (text: string | RegExp) => showsIn("watch", text);
const keys = (...names: string[]) => tmux("send-keys", "-t", "watch", ...names);

function api(path: string, body: unknown) {
  return fetch(`${daemon.url}${path}`, {
    method: "POST",
    headers: { authorization: `ApiKey ${daemon.firstKey}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

test("the compiled binary shows new runs live in a real terminal, and q gives it back", async () => {
  await openSession("watch", 100, 30, { before: "echo BEFORE-WATCH\n" });
  const first = await shows("q quit");
  expect(first).toContain("no runs yet");
  expect(first).not.toContain("BEFORE-WATCH");

  // Written by the daemon while the UI is open; no key is pressed until it shows.
  const created = await api("/api/jobs/", { name: "nightly-backup", timeoutSeconds: 600 });
  const { id } = (await created.json()) as { id: number };
  await shows(new RegExp(`› +${id} nightly-backup +- +● running`));
  await api(`/jobs/${id}`, { message: "copied 12 files" });
  await shows(/log +copied 12 files/);
  await api(`/jobs/${id}/complete`, {});
  await shows(/✓ completed/);

  await keys("Enter");
  await shows(`run ${id} · ✓ completed · nightly-backup`);
  await keys("Escape");
  await shows("DURATION / LEFT");

  await tmux("resize-window", "-t", "watch", "-x", "70", "-y", "20");
  await shows("Terminal too small: 70×20.");
  await tmux("resize-window", "-t", "watch", "-x", "100", "-y", "30");
  await shows(`${id} nightly-backup`);

  await keys("q");
  const after = await shows("EXIT=0");
  expect(after).toContain("BEFORE-WATCH");
  expect(after).not.toContain("q quit");
  expect(after).not.toContain("nightly-backup");
}, 60_000);

test("Ctrl-C quits as cleanly as q", async () => {
  await openSession("interrupt", 80, 24);
  const pane = () => tmux("capture-pane", "-p", "-t", "interrupt");
  await waitFor(async () => (await pane()).includes("q quit"), { timeoutMs: 10_000 });
  await tmux("send-keys", "-t", "interrupt", "C-c");
  await waitFor(async () => (await pane()).includes("EXIT=0"), { timeoutMs: 10_000 });
  expect(await pane()).not.toContain("q quit");
}, 30_000);

// DEV is a common variable in shells; Ink's development mode, reached by it, read a
// package.json the binary does not have and printed an error dump over the terminal.
test("with DEV=true the compiled binary writes nothing to stderr and opens the UI", async () => {
  const stderr = join(temp.path, "dev-stderr.txt");
  await openSession("dev", 80, 24, { before: "DEV=true; export DEV\n", stderrTo: stderr });
  await showsIn("dev", "q quit");
  expect(readFileSync(stderr, "utf8")).toBe("");

  await tmux("send-keys", "-t", "dev", "q");
  await showsIn("dev", "EXIT=0");
  expect(readFileSync(stderr, "utf8")).toBe("");
}, 30_000);

// A closed ssh session: the terminal is gone, so writing the last frame or restoring raw mode
// fails with EIO; watch used to end in an error dump (setRawMode failed with errno: 5).
test("a hang-up of the terminal ends watch quietly", async () => {
  const stderr = join(temp.path, "hangup-stderr.txt");
  const pidFile = join(temp.path, "hangup.pid");
  await openSession("hangup", 80, 24, { before: `echo $$ > '${pidFile}'\n`, stderrTo: stderr });
  await showsIn("hangup", "q quit");
  const shell = readFileSync(pidFile, "utf8").trim();
  const watch = Bun.spawnSync(["pgrep", "-P", shell]).stdout.toString().trim();
  expect(watch).toMatch(/^\d+$/);

  await tmux("kill-session", "-t", "hangup");
  await waitFor(() => !existsSync(`/proc/${watch}`), { timeoutMs: 5_000, what: "watch to end" });
  // At most the cursor shown again (Ink's restore-cursor writes it to stderr on exit).
  expect(readFileSync(stderr, "utf8").replaceAll("\x1b[?25h", "")).toBe("");
}, 30_000);
