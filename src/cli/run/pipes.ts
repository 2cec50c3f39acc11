import { LineSplitter } from "./line-splitter.ts";

/** How long the wrapper waits for the output pipes to close once the command has exited. */
const PIPE_GRACE_MS = 2000;

/**
 * Copies a command's output to the wrapper's own stdout or stderr byte for byte, and hands
 * each line to `onLine`. It waits when the terminal (or the pipe the wrapper writes to) is
 * slow, as the command would have. If that destination is closed (`| head`), it stops
 * reading and lets go of the pipe (`release`), so that the command's next write fails as it
 * would have without the wrapper: SIGPIPE; ECONNRESET with Bun's own pipes, which are sockets.
 */
export async function copyOutput(
  source: ReadableStream<Uint8Array>,
  sink: NodeJS.WritableStream,
  onLine: (line: string) => void,
  exited: Promise<unknown>,
  release?: () => void,
): Promise<void> {
  const splitter = new LineSplitter(onLine);
  const reader = source.getReader();
  let broken = false;
  const onError = () => {
    broken = true;
    void reader.cancel().catch(() => {});
  };
  sink.on("error", onError);

  // A background process the command left behind may hold the pipe open for hours: once the
  // command has exited, what it wrote is read within the grace period, then reading stops.
  let stopTimer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;
  void exited.then(() => {
    if (finished) return;
    stopTimer = setTimeout(() => void reader.cancel().catch(() => {}), PIPE_GRACE_MS);
  });

  // TODO: a command that writes one line per write still costs a read and a terminal write
  // per line while we keep up (15,000 to 40,000 reads for a 100,000-line shell loop). Waiting
  // a millisecond between small reads cut the wrapper's CPU by about a third (measured), but
  // lines of stdout and stderr written within that millisecond would lose their order.
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      // The terminal first: splitting and shipping must not delay what the command wrote.
      const full = !broken && !sink.write(value);
      splitter.push(value);
      if (full) await drained(sink);
    }
  } catch {
    // The pipe was cancelled (closed destination, or the grace period ran out).
  } finally {
    finished = true;
    clearTimeout(stopTimer);
    splitter.end();
    sink.off("error", onError);
    release?.();
  }
}

function drained(sink: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      sink.off("drain", done);
      sink.off("error", done);
      resolve();
    };
    sink.on("drain", done);
    sink.on("error", done);
  });
}
