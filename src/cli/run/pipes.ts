import type { EventStream } from "../../client/types.ts";
import { LineSplitter } from "./line-splitter.ts";
import { TerminalWriter } from "./terminal-writer.ts";

/** How long the wrapper waits for the output pipes to close once the command has exited. */
const PIPE_GRACE_MS = 2000;

/** One of the command's output streams, as the wrapper reads it. */
export interface OutputSource {
  stream: EventStream;
  readable: ReadableStream<Uint8Array>;
  /** Where its bytes go: the wrapper's own stdout or stderr. */
  sink: NodeJS.WritableStream;
  /** Lets go of our end of the pipe once reading has stopped, so that writes to it fail. */
  release?: () => void;
}

/**
 * Copies the command's stdout and stderr to the wrapper's own, byte for byte, and hands each
 * line to `onLine`. Chunks are written and their lines handed on in the order they were read,
 * whichever stream they came from. The wrapper waits when a destination is slow, as the
 * command would have. If a destination is closed (`| head`), it stops reading that stream
 * and lets go of the pipe, so that the command's next write to it fails as it would have
 * without the wrapper (SIGPIPE; ECONNRESET with Bun's own pipes, which are sockets).
 */
export async function copyOutputs(
  sources: OutputSource[],
  onLine: (stream: EventStream, line: string) => void,
  exited: Promise<unknown>,
): Promise<void> {
  const terminal = new TerminalWriter();
  const stoppers: (() => void)[] = [];

  // A background process the command left behind may hold the pipes open for hours: once the
  // command has exited, what it wrote is read within the grace period, then reading stops.
  let stopTimer: ReturnType<typeof setTimeout> | undefined;
  let finished = false;
  void exited.then(() => {
    if (!finished) stopTimer = setTimeout(() => stoppers.forEach((stop) => stop()), PIPE_GRACE_MS);
  });

  try {
    await Promise.all(
      sources.map((source) => {
        const splitter = new LineSplitter((line) => onLine(source.stream, line));
        return copyOne(source, splitter, terminal, (stop) => stoppers.push(stop));
      }),
    );
  } finally {
    finished = true;
    clearTimeout(stopTimer);
  }
}

async function copyOne(
  source: OutputSource,
  splitter: LineSplitter,
  terminal: TerminalWriter,
  register: (stop: () => void) => void,
): Promise<void> {
  const reader = source.readable.getReader();
  const stop = () => void reader.cancel().catch(() => {});
  register(stop);
  const onError = () => {
    terminal.markBroken(source.sink);
    stop();
  };
  source.sink.on("error", onError);
  // TODO: a command that writes one line per write still costs a read and a terminal write
  // per line while we keep up (15,000 to 40,000 reads for a 100,000-line shell loop). Waiting
  // a millisecond between small reads cut the wrapper's CPU by about a third (measured), but
  // lines of stdout and stderr written within that millisecond would lose their order.
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      // The terminal first: splitting and shipping must not delay what the command wrote.
      const held = terminal.write(source.sink, value);
      splitter.push(value);
      if (held) await held;
    }
  } catch {
    // The pipe was cancelled (closed destination, or the grace period ran out).
  } finally {
    splitter.end();
    source.sink.off("error", onError);
    source.release?.();
  }
}
