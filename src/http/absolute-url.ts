import type { Server } from "bun";

type Fetch = (request: Request, env: unknown) => Response | Promise<Response>;
type RequestIP = (request: Request) => { address: string } | null;

/**
 * Gives every request an absolute URL before the router sees it. Bun hands a request whose
 * Host header is missing (a bare HTTP/1.0 health check), empty or not a host (`a b`, `x/y`)
 * a URL of its path alone, `/healthz`; Hono reads the path and the query as if after a
 * scheme and host, so such a request would be routed by a mangled path (`/healthz` as `z`).
 * The origin put in front is only for parsing: nothing answers with it.
 *
 * The rebuilt request is not the one Bun knows, so the client's address is looked up by the
 * original (for `/metrics` open on loopback).
 */
export function withAbsoluteUrls(fetch: Fetch, origin: string) {
  return (request: Request, server: Server<undefined>): Response | Promise<Response> => {
    if (!request.url.startsWith("/")) return fetch(request, server);
    const absolute = new Request(`${origin}${request.url}`, request);
    const requestIP: RequestIP = () => server.requestIP(request);
    return fetch(absolute, { requestIP });
  };
}
