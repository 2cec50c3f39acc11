/**
 * The last bytes of a program's output, kept while everything before them is dropped: a
 * program may write without end (`yes >&2`), and an alert's error only quotes the end.
 */
export class OutputTail {
  private readonly chunks: Uint8Array[] = [];
  private kept = 0;

  constructor(private readonly maxBytes: number) {}

  /** How many bytes are held: always under twice `maxBytes`. */
  get size(): number {
    return this.kept;
  }

  push(chunk: Uint8Array): void {
    // A copy, and only of the end: holding a view would keep the whole buffer behind it.
    const piece = chunk.slice(-this.maxBytes);
    this.chunks.push(piece);
    this.kept += piece.length;
    while (this.kept - this.chunks[0]!.length >= this.maxBytes) {
      this.kept -= this.chunks.shift()!.length;
    }
  }

  /** The last `maxBytes` as text, without a character cut in two at the start. */
  text(): string {
    const all = new Uint8Array(this.kept);
    let at = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    let start = Math.max(0, all.length - this.maxBytes);
    // UTF-8 continuation bytes (10xxxxxx) belong to a character whose start was dropped.
    while (start < all.length && (all[start]! & 0xc0) === 0x80) start++;
    return new TextDecoder().decode(all.subarray(start));
  }
}

/**
 * Reads a stream to its end in the background, keeping only its last `maxBytes`: the pipe
 * is drained, so the program never blocks on it, and memory stays bounded. `settled`
 * answers the tail once the stream ended, or after `waitMs` if it has not: a child the
 * program left behind may hold the pipe open.
 */
export function readTail(stream: ReadableStream<Uint8Array>, maxBytes: number) {
  const tail = new OutputTail(maxBytes);
  const done = (async () => {
    for await (const chunk of stream) tail.push(chunk);
  })().catch(() => {});
  return {
    settled: async (waitMs: number) => {
      await Promise.race([done, Bun.sleep(waitMs)]);
      return tail.text();
    },
  };
}
