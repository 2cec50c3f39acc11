import type { Context, MiddlewareHandler } from "hono";
import type { KeyService } from "../auth/key-service.ts";
import { StatusBoxError } from "../domain/errors.ts";
import type { ApiKey } from "../storage/key-store.ts";
import { routePatternOf } from "./route-pattern.ts";

const SCHEMES = new Set(["apikey", "bearer"]);
const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export type AuthVariables = { apiKey: ApiKey };

/**
 * Requires `Authorization: ApiKey <secret>` (or `Bearer`, scheme word in any case) with an
 * active key; a read-only key may only read. `touch` records `last used` now and then,
 * off the request's own write.
 */
export function requireApiKey(
  keys: KeyService,
  touch: (key: ApiKey) => void,
): MiddlewareHandler<{ Variables: AuthVariables }> {
  return async (c, next) => {
    const header = c.req.header("authorization");
    if (header === undefined || header.trim() === "") {
      throw unauthorized("missing Authorization header; send 'Authorization: ApiKey <secret>'");
    }

    const [scheme, secret] = splitCredentials(header);
    if (!scheme || !secret || !SCHEMES.has(scheme.toLowerCase())) {
      throw unauthorized("malformed Authorization header; expected 'ApiKey <secret>'");
    }

    const key = keys.verify(secret);
    if (!key) throw unauthorized("unknown or revoked API key");
    // A route that does not exist stays a 404 whatever the key: only a real write is refused.
    if (key.scope === "read" && !READ_METHODS.has(c.req.method) && isRoute(c)) {
      throw new StatusBoxError("forbidden", "this API key is read-only");
    }

    if (keys.claimTouch(key)) touch(key);
    c.set("apiKey", key);
    await next();
  };
}

/** `Scheme secret` with any white space between; anything else answers empty parts. */
function splitCredentials(header: string): [string, string] | [] {
  const trimmed = header.trim();
  const space = trimmed.search(/\s/);
  if (space < 0) return [];
  const secret = trimmed.slice(space).trim();
  return /\s/.test(secret) ? [] : [trimmed.slice(0, space), secret];
}

const unauthorized = (message: string) => new StatusBoxError("unauthorized", message);

/** Whether a route answers this method and path (routing is done before any middleware). */
const isRoute = (c: Context) => routePatternOf(c) !== "unmatched";
