import { describeBadAnswer } from "./error-shape.ts";
import type { FuzzRequest } from "./fuzz-target.ts";

/** What the check needs to see of the daemon's database. */
export interface StoreWatch {
  /** A number that changes whenever something may have been written; cheap. */
  version(): number;
  /** A summary of what a request could store; it scans tables, so it is taken sparingly. */
  print(): string;
}

/** How one request went: its status (0: no answer) and why it broke a promise, or null. */
export interface CaseResult {
  status: number;
  problem: string | null;
}

/**
 * A check of one request to the daemon at `url`: it is answered, with no 5xx, every error in
 * the JSON shape, and a refused request leaves `store` as it found it. Requests must be
 * checked one at a time, so that any change during a request is that request's, or the
 * daemon's own doing that `store.print()` leaves out.
 */
export function checkAgainst(
  url: string,
  store: StoreWatch,
): (request: FuzzRequest) => Promise<CaseResult> {
  // The print scans every table: it is taken again only after something changed.
  let known = { version: store.version(), print: store.print() };

  return async (request) => {
    const version = store.version();
    if (version !== known.version) known = { version, print: store.print() };
    const before = known.print;
    let response: Response;
    try {
      response = await fetch(url + request.path, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      return { status: 0, problem: `no answer: ${String(error)}` };
    }
    const { status } = response;
    const text = await response.text();
    const bad = describeBadAnswer(status, response.headers, text, request);
    if (bad) return { status, problem: bad };

    // A refused request stores nothing; only a refused end signal (409) is recorded.
    // The version also moves for writes rolled back or left out of the print: then compare.
    const touched = store.version() !== known.version;
    if (status >= 400 && status !== 409 && touched && store.print() !== before) {
      return {
        status,
        problem: `answered ${status} but changed the database: ${text.slice(0, 200)}`,
      };
    }
    return { status, problem: null };
  };
}
