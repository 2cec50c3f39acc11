import { MESSAGE_LIMIT_BYTES, splitMessage } from "../../domain/message.ts";

/**
 * Cuts a byte stream into text lines, for events: UTF-8 decoded across chunk boundaries
 * (bytes that are not UTF-8 become U+FFFD in the event only; the terminal gets the bytes),
 * one line per `\n`, a `\r` before it dropped. A line longer than the 16 KiB message limit
 * is emitted as consecutive pieces as soon as they fill, so a stream without newlines never
 * piles up in memory and nothing is cut off.
 */
export class LineSplitter {
  private readonly decoder = new TextDecoder("utf-8");
  private partial = "";

  constructor(private readonly emit: (line: string) => void) {}

  push(chunk: Uint8Array): void {
    const text = this.partial + this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      this.emitLine(text.slice(start, end));
      start = end + 1;
    }
    this.partial = start === 0 ? text : text.slice(start);
    if (this.partial.length > MESSAGE_LIMIT_BYTES / 3) this.emitFullPieces();
  }

  /** Emits what is left after the last newline, once the stream has ended. */
  end(): void {
    const rest = this.partial + this.decoder.decode();
    this.partial = "";
    if (rest !== "") this.emitLine(rest);
  }

  private emitLine(line: string): void {
    const text = line.endsWith("\r") ? line.slice(0, -1) : line;
    if (text.length * 3 <= MESSAGE_LIMIT_BYTES) {
      this.emit(text);
      return;
    }
    for (const piece of splitMessage(text)) this.emit(piece);
  }

  /** Sends the full 16 KiB pieces of an unfinished line and keeps the rest for later. */
  private emitFullPieces(): void {
    const pieces = splitMessage(this.partial);
    if (pieces.length === 1) return;
    this.partial = pieces.pop()!;
    for (const piece of pieces) this.emit(piece);
  }
}
