import type { Subprocess } from "bun";
import type { EventStream } from "../../client/types.ts";
import { closeQuietly, openPipe, type OsPipe } from "./os-pipe.ts";

/** A started command and the read ends of its stdout and stderr. */
export interface StartedCommand {
  child: Subprocess;
  output: Record<EventStream, { readable: ReadableStream<Uint8Array>; release?: () => void }>;
}

/**
 * Starts the command with the wrapper's stdin, environment and working directory, and its
 * stdout and stderr each into a pipe of ours: kernel pipes where we can make them (see
 * `openPipe`), Bun's own otherwise. Throws as Bun.spawn does when the command cannot start.
 */
export function startCommand(command: string[]): StartedCommand {
  const pipes = openPipes();
  const base = { stdin: "inherit", env: process.env, cwd: process.cwd() } as const;
  if (!pipes) {
    const child = Bun.spawn(command, { ...base, stdout: "pipe", stderr: "pipe" });
    return {
      child,
      output: { stdout: { readable: child.stdout }, stderr: { readable: child.stderr } },
    };
  }

  let child: Subprocess;
  try {
    child = Bun.spawn(command, { ...base, stdout: pipes.stdout.write, stderr: pipes.stderr.write });
  } catch (error) {
    for (const pipe of [pipes.stdout, pipes.stderr]) closeQuietly(pipe.read);
    throw error;
  } finally {
    // The command has its own copies: ours must go, or the pipes would never reach their end.
    for (const pipe of [pipes.stdout, pipes.stderr]) closeQuietly(pipe.write);
  }
  return { child, output: { stdout: readEnd(pipes.stdout), stderr: readEnd(pipes.stderr) } };
}

function openPipes(): Record<EventStream, OsPipe> | null {
  const stdout = openPipe();
  const stderr = stdout && openPipe();
  if (stdout && stderr) return { stdout, stderr };
  if (stdout) for (const fd of [stdout.read, stdout.write]) closeQuietly(fd);
  return null;
}

/**
 * Bun reads a descriptor given as a number without taking it over: it is ours to close,
 * once, after reading has stopped.
 */
function readEnd(pipe: OsPipe) {
  let open = true;
  const release = () => {
    if (open) closeQuietly(pipe.read);
    open = false;
  };
  return { readable: Bun.file(pipe.read).stream(), release };
}
