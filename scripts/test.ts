/**
 * `bun run test [ARGS]`: runs `bun test ARGS` without the engineer's STATUSBOX_* settings
 * (STATUSBOX_BIN, which names the binary under test, is kept). The tests start daemons and
 * commands of their own, which would otherwise read a STATUSBOX_CONFIG, STATUSBOX_DB or
 * STATUSBOX_API_KEY exported for daily use, and fail for reasons that are not theirs. (A
 * child process gets the environment this process started with, whatever a test does to
 * process.env, so the filtering has to happen here, before bun test starts.)
 */
const env: Record<string, string> = {};
for (const [name, value] of Object.entries(process.env)) {
  if (value === undefined) continue;
  if (name.startsWith("STATUSBOX_") && name !== "STATUSBOX_BIN") continue;
  env[name] = value;
}

const tests = Bun.spawn([process.execPath, "test", ...process.argv.slice(2)], {
  env,
  stdio: ["inherit", "inherit", "inherit"],
});
process.exitCode = await tests.exited;
export {};
