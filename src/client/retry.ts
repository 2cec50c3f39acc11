import { StatusBoxApiError, StatusBoxConnectionError } from "./errors.ts";

export interface RetryOptions {
  /** How many times a failed request is tried again after the first attempt. */
  retries: number;
  /** The wait before the first retry; each later wait doubles, up to `maxDelayMs`. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 4, baseDelayMs: 250, maxDelayMs: 4000 };

/** Proxies answer these when they lost the upstream; the daemon may have stored the request. */
const AMBIGUOUS_STATUSES = new Set([502, 504]);

/**
 * Whether a failed attempt may be sent again. Connection errors and 5xx answers are retried.
 * A request that is not idempotent (create, log) is retried only when the failure proves it
 * was not stored: the connection was refused, or the daemon itself answered 5xx (its write
 * rolled back). End signals and reads are idempotent: a repeated end signal changes nothing.
 */
export function isRetryable(error: unknown, idempotent: boolean): boolean {
  if (error instanceof StatusBoxConnectionError) return idempotent || !error.delivered;
  if (error instanceof StatusBoxApiError) {
    if (error.status < 500) return false;
    return idempotent || !AMBIGUOUS_STATUSES.has(error.status);
  }
  return false;
}

/**
 * The wait before retry number `attempt` (1 for the first retry): doubling from the base,
 * capped, with jitter over its upper half so that many wrappers do not retry in step.
 */
export function backoffDelay(
  attempt: number,
  options: RetryOptions,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + (random() * ceiling) / 2;
}

/**
 * Runs `attempt` until it succeeds, fails in a way that is not retryable, or the retries are
 * spent; the last error is thrown. A daemon's `Retry-After` lengthens the wait (up to the cap).
 */
export async function withRetry<T>(
  attempt: () => Promise<T>,
  options: RetryOptions & {
    idempotent: boolean;
    sleep: (ms: number) => Promise<void>;
    /** Stops retrying once aborted, also during the wait before a retry. */
    signal?: AbortSignal | undefined;
  },
): Promise<T> {
  for (let tried = 0; ; tried++) {
    try {
      return await attempt();
    } catch (error) {
      if (tried >= options.retries || !isRetryable(error, options.idempotent)) throw error;
      if (options.signal?.aborted) throw error;
      const asked = error instanceof StatusBoxApiError ? error.retryAfterMs : 0;
      const wait = Math.max(backoffDelay(tried + 1, options), asked);
      await sleepUnless(options.signal, () => options.sleep(Math.min(wait, options.maxDelayMs)));
      // Aborted while waiting: a caller's deadline passed, so no attempt starts after it.
      if (options.signal?.aborted) throw error;
    }
  }
}

/** `sleep`, cut short when `signal` aborts. */
async function sleepUnless(signal: AbortSignal | undefined, sleep: () => Promise<void>) {
  if (!signal) return sleep();
  let stop = () => {};
  const aborted = new Promise<void>((done) => {
    stop = done;
    signal.addEventListener("abort", stop, { once: true });
  });
  try {
    await Promise.race([sleep(), aborted]);
  } finally {
    signal.removeEventListener("abort", stop);
  }
}
