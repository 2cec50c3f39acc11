#!/usr/bin/env bun
import { writeSync } from "node:fs";
import { runCli } from "./cli/main.ts";

// Output that cannot be written never stops a command half-way: the daemon must go on
// serving and timing runs out when the reader of its log goes away, and `statusbox job show 1
// | head` finishes as it would have. A reader gone (EPIPE) is no fault of the command; any
// other failure (a full disk) makes a command that succeeded exit 1.
let outputFailed = false;
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    // Not ours to decide when a command listens too: statusbox run must still end its run.
    if (stream.listenerCount("error") > 1) return;
    if (error.code !== "EPIPE") outputFailed = true;
  });
}

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
  stdoutNow: (text: string) => void writeSync(1, text),
};

const code = await runCli(process.argv.slice(2), io);
// Long-running commands (serve, watch) set their own exit code when they stop.
if (code >= 0) process.exitCode = code === 0 && outputFailed ? 1 : code;
