/**
 * Writes the command's output to the wrapper's own stdout and stderr in one order: the order
 * in which the chunks were read, whichever stream they came from. When a destination is full
 * (a slow terminal, a pipe nobody reads yet), later chunks wait behind it, for both streams:
 * under cron, or with `2>&1`, stdout and stderr are one file, and a chunk of stderr must not
 * overtake the stdout chunk that was read before it. A command that writes its two streams
 * from one thread would have waited on the full one all the same.
 */
export class TerminalWriter {
  private readonly queue: { sink: NodeJS.WritableStream; chunk: Uint8Array }[] = [];
  /** Resolves once nothing waits for a destination to drain; null while nothing does. */
  private flushing: Promise<void> | null = null;
  private readonly broken = new Set<NodeJS.WritableStream>();

  /**
   * Writes `chunk` now, or after the chunks waiting before it. Answers a promise while the
   * writer is held up: the caller waits for it before reading more, so that the command
   * waits too, as it would have on the full destination.
   */
  write(sink: NodeJS.WritableStream, chunk: Uint8Array): Promise<void> | null {
    if (this.flushing) {
      this.queue.push({ sink, chunk });
      return this.flushing;
    }
    if (this.put(sink, chunk)) return null;
    this.flushing = this.flush(sink);
    return this.flushing;
  }

  /** A destination that failed (its reader went away): what is meant for it is dropped. */
  markBroken(sink: NodeJS.WritableStream): void {
    this.broken.add(sink);
  }

  private put(sink: NodeJS.WritableStream, chunk: Uint8Array): boolean {
    return this.broken.has(sink) || sink.write(chunk);
  }

  private async flush(full: NodeJS.WritableStream): Promise<void> {
    await drained(full);
    for (let next = this.queue.shift(); next; next = this.queue.shift()) {
      if (!this.put(next.sink, next.chunk)) await drained(next.sink);
    }
    this.flushing = null;
  }
}

/** Resolves when `sink` can take more, or has failed (then nothing more is written to it). */
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
