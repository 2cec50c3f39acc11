import { LineSplitter } from "./line-splitter.ts";

/** How long the wrapper waits for the output pipes to close once the command has exited. */
const PIPE_GRACE_MS = 2000;

/**
 * Copies a command's output to the wrapper's own stdout or stderr byte for byte, and hands
 * each line to `onLine`. It waits when the terminal (or the pipe the wrapper writes to) is
 * slow, as the command would have. If that destination is closed (`| head`), it stops
 * reading, so that the command's next write fails as it would have without the wrapper.
 * Note: Bun's pipes to a child are sockets, so the command then sees ECONNRESET where it
 * would have got SIGPIPE.
 */
export async function copyOutput(
  source: ReadableStream<Uint8Array>,
  sink: NodeJS.WritableStream,
  onLine: (line: string) => void,
  exited: Promise<unknown>,
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

  // TODO: a command that writes one line per write (a shell loop of echo) makes us read
  // 100,000 tiny chunks, and each read through the ReadableStream costs a few µs of
  // machinery (a quarter to a third of the wrapper's ~0.6 s of CPU for 100,000 such lines,
  // profiled): on 2 cores that CPU is taken from the command. A cheaper reader
  // (Bun's native pipe reader, if it can keep the exit and EOF handling) would need its own
  // measurements. Pausing 1 ms between reads is no cure: measured on such a loop, it made
  // 50 times fewer chunks but took the same CPU, Bun still waking for every write.
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
