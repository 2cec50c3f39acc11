import { existsSync } from "node:fs";
import { join, resolve } from "node:path";

export const REPO_ROOT = resolve(import.meta.dir, "../..");

/**
 * The command that runs StatusBox as a user would. Tests use the compiled binary when
 * `STATUSBOX_BIN` points at it (CI builds it first), and the sources through bun otherwise.
 */
export function statusboxCommand(): string[] {
  const bin = process.env.STATUSBOX_BIN;
  if (bin && existsSync(bin)) return [resolve(bin)];
  return [process.execPath, join(REPO_ROOT, "src/main.ts")];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `statusbox ARGS...` to completion; with `timeoutMs`, a command still running then is
 * killed (for one that should stop at once but would serve if the code were wrong).
 */
export async function runStatusbox(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string; stdin?: string; timeoutMs?: number } = {},
): Promise<RunResult> {
  const proc = Bun.spawn([...statusboxCommand(), ...args], {
    cwd: options.cwd,
    timeout: options.timeoutMs,
    env: { ...process.env, ...options.env },
    stdin: options.stdin === undefined ? "ignore" : new Blob([options.stdin]),
    stdout: "pipe",
    stderr: "pipe",
  });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, stdout, stderr };
}
