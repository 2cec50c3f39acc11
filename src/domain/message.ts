/** The most a single event message keeps, in bytes of UTF-8; longer ones are truncated. */
export const MESSAGE_LIMIT_BYTES = 16 * 1024;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Cuts a message to the limit without splitting a character: decoding a cut in the middle
 * of a multi-byte sequence would leave a replacement character, so the cut moves back to the
 * start of that sequence.
 */
export function truncateMessage(message: string): { message: string; truncated: boolean } {
  // Fast path: even at 3 bytes per UTF-16 unit this fits.
  if (message.length * 3 <= MESSAGE_LIMIT_BYTES) return { message, truncated: false };

  const bytes = encoder.encode(message);
  if (bytes.length <= MESSAGE_LIMIT_BYTES) return { message, truncated: false };

  let end = MESSAGE_LIMIT_BYTES;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return { message: decoder.decode(bytes.subarray(0, end)), truncated: true };
}

/** Splits a message into pieces within the limit, for callers that must not lose text. */
export function splitMessage(message: string): string[] {
  const pieces: string[] = [];
  let rest = message;
  for (;;) {
    const { message: head, truncated } = truncateMessage(rest);
    pieces.push(head);
    if (!truncated) return pieces;
    rest = rest.slice(head.length);
  }
}
