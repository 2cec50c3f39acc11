import { createServer, type Socket } from "node:net";

export interface StallingSmtp {
  port: number;
  /** How many connections were opened, and when each was closed (performance.now()). */
  connections: number;
  closedAt: number[];
  stop(): Promise<void>;
}

/**
 * A mail server on 127.0.0.1 that keeps a client busy without ever letting it finish, and
 * without ever going quiet long enough for an inactivity timeout:
 * - "endless-reply" greets, then answers the first command with a multi-line reply that
 *   never ends ("250-still going" every `everyMs`);
 * - "trickled-greeting" sends its greeting a byte at a time, never reaching the line end.
 */
export async function startStallingSmtp(
  behaviour: "endless-reply" | "trickled-greeting",
  everyMs = 100,
): Promise<StallingSmtp> {
  const sockets = new Set<Socket>();
  const result: StallingSmtp = { port: 0, connections: 0, closedAt: [], stop: async () => {} };

  const server = createServer((socket) => {
    sockets.add(socket);
    result.connections++;
    let timer: ReturnType<typeof setInterval> | undefined;
    const every = (write: () => void) => (timer = setInterval(write, everyMs));
    if (behaviour === "endless-reply") {
      socket.write("220 stall.example ESMTP\r\n");
      socket.once("data", () => every(() => socket.write("250-still going\r\n")));
    } else {
      socket.write("2");
      every(() => socket.write("2"));
    }
    socket.on("error", () => {}); // the client resetting the connection is what we expect
    socket.on("close", () => {
      clearInterval(timer);
      sockets.delete(socket);
      result.closedAt.push(performance.now());
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  result.port = (server.address() as { port: number }).port;
  result.stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    });
  return result;
}
