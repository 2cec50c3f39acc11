#!/usr/bin/env bun
import { runCli } from "./cli/main.ts";

const io = {
  stdout: (text: string) => process.stdout.write(text),
  stderr: (text: string) => process.stderr.write(text),
};

const code = await runCli(process.argv.slice(2), io);
// Long-running commands (serve, watch) set their own exit code when they stop.
if (code >= 0) process.exitCode = code;
