/**
 * Reads a byte stream to text, and throws `tooLarge()` as soon as more than `limit` bytes
 * have arrived: an endless or huge body is refused while it streams, never held whole. What
 * is left unread is cancelled.
 */
export async function readTextWithin(
  stream: ReadableStream<Uint8Array> | null,
  limit: number,
  tooLarge: () => Error,
): Promise<string> {
  if (stream === null) return "";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.byteLength;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}
