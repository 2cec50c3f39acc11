#!/usr/bin/env bun
import { runCli } from "./cli/main.ts";

// `statusbox job show 1 | head`: a reader that goes away is not an error of ours.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    // Not ours to decide when a command listens too: statusbox run must still end its run.
    if (stream.listenerCount("error") > 1) return;
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
};

const code = await runCli(process.argv.slice(2), io);
// Long-running commands (serve, watch) set their own exit code when they stop.
if (code >= 0) process.exitCode = code;
