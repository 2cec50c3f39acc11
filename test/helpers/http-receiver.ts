import type { Server } from "bun";

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
}

/** What the receiver answers: a status, with optional headers and body. */
export interface ReceiverAnswer {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface HttpReceiver {
  url: string;
  port: number;
  /** Every request received so far, in order. */
  requests: ReceivedRequest[];
  /** Changes what the next requests are answered. */
  answer(respond: (request: ReceivedRequest) => ReceiverAnswer | Promise<ReceiverAnswer>): void;
  stop(): Promise<void>;
}

/**
 * A real HTTP server on 127.0.0.1 that records every request and answers 200 (or what it
 * is told), standing in for a webhook, Slack, Discord or ntfy receiver. Pass `port` to
 * bring a receiver back on the port of one that was stopped.
 */
export function startReceiver(options: { port?: number } = {}): HttpReceiver {
  const requests: ReceivedRequest[] = [];
  let respond = (_request: ReceivedRequest): ReceiverAnswer | Promise<ReceiverAnswer> => ({
    status: 200,
    body: "ok",
  });

  const server: Server<undefined> = Bun.serve({
    hostname: "127.0.0.1",
    port: options.port ?? 0,
    async fetch(request) {
      const url = new URL(request.url);
      const received: ReceivedRequest = {
        method: request.method,
        path: url.pathname + url.search,
        headers: Object.fromEntries(request.headers),
        body: await request.text(),
      };
      requests.push(received);
      const answer = await respond(received);
      return new Response(answer.body ?? "", { status: answer.status, headers: answer.headers });
    },
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port!,
    requests,
    answer: (next) => (respond = next),
    stop: () => server.stop(true),
  };
}

/** A port on 127.0.0.1 that nothing listens on (a receiver that is down). */
export async function closedPort(): Promise<number> {
  const receiver = startReceiver();
  await receiver.stop();
  return receiver.port;
}
