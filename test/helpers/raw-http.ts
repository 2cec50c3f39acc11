import type { Socket } from "bun";

/** A response read off a raw connection: status, lower-cased headers and the body text. */
export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * One TCP connection driven by hand, for what fetch cannot do: send a request a byte at a
 * time, stop half-way, send a Content-Length it never honours, or hang up mid-request.
 */
export class RawConnection {
  private received = Buffer.alloc(0);
  private wasClosed = false;
  private waiters: (() => void)[] = [];

  private constructor(private socket: Socket<undefined> | null) {}

  /** Connects to the host and port of `url`. */
  static async open(url: string): Promise<RawConnection> {
    const { hostname, port } = new URL(url);
    const connection = new RawConnection(null);
    connection.socket = await Bun.connect({
      hostname: hostname.replace(/^\[|\]$/g, ""),
      port: Number(port),
      socket: {
        data: (_socket, chunk) => connection.onData(chunk),
        close: () => connection.onClose(),
        error: () => connection.onClose(),
      },
    });
    return connection;
  }

  /** Writes what the socket takes now; answers how many bytes that was. */
  write(data: string | Uint8Array): number {
    if (this.wasClosed || !this.socket) return 0;
    return this.socket.write(data);
  }

  /** Sends `data` in pieces of `step` bytes, `delayMs` apart (a slow client). */
  async trickle(data: string, step: number, delayMs: number): Promise<void> {
    const bytes = new TextEncoder().encode(data);
    for (let i = 0; i < bytes.length && !this.wasClosed; i += step) {
      this.write(bytes.subarray(i, i + step));
      await Bun.sleep(delayMs);
    }
  }

  get closed(): boolean {
    return this.wasClosed;
  }

  /** Says that nothing more will be sent (a half-close); answers can still arrive. */
  finish(): void {
    this.socket?.shutdown(true);
  }

  /** Hangs up at once, without a FIN handshake for what is unsent. */
  destroy(): void {
    this.socket?.terminate();
    this.onClose();
  }

  /** Waits for one whole response (by Content-Length), the close, or the time limit. */
  async response(timeoutMs = 5000): Promise<RawResponse | null> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const parsed = parseResponse(this.received);
      if (parsed || this.wasClosed || Date.now() > deadline) return parsed;
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, Math.max(1, deadline - Date.now()));
      });
    }
  }

  /** Waits until the daemon closes the connection; answers whether it did in time. */
  async waitClosed(timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!this.wasClosed && Date.now() < deadline) await Bun.sleep(10);
    return this.wasClosed;
  }

  private onData(chunk: Uint8Array): void {
    this.received = Buffer.concat([this.received, chunk]);
    for (const wake of this.waiters.splice(0)) wake();
  }

  private onClose(): void {
    this.wasClosed = true;
    for (const wake of this.waiters.splice(0)) wake();
  }
}

/** Parses the first complete response in `bytes`, or null while it is incomplete. */
export function parseResponse(bytes: Buffer): RawResponse | null {
  const end = bytes.indexOf("\r\n\r\n");
  if (end < 0) return null;
  const [statusLine = "", ...lines] = bytes.toString("latin1", 0, end).split("\r\n");
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? NaN);
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(":");
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  const length = Number(headers["content-length"] ?? 0);
  if (bytes.length < end + 4 + length) return null;
  return { status, headers, body: bytes.toString("utf8", end + 4, end + 4 + length) };
}

/** A request as raw HTTP/1.1 text. */
export function httpRequest(
  method: string,
  path: string,
  headers: Record<string, string>,
  body = "",
): string {
  const lines = [`${method} ${path} HTTP/1.1`, "Host: localhost"];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  const hasLength = Object.keys(headers).some((name) => name.toLowerCase() === "content-length");
  if (!hasLength && (body !== "" || method === "POST")) {
    lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  }
  return `${lines.join("\r\n")}\r\n\r\n${body}`;
}
