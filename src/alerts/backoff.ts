/** The first retry waits about this long; each next one twice as long, up to the cap. */
export const FIRST_RETRY_MS = 1000;
export const MAX_RETRY_MS = 5 * 60_000;
/** An alert still undelivered this long after it was queued is given up. */
export const GIVE_UP_AFTER_MS = 24 * 3_600_000;

/**
 * When to try again after the `attempts`-th failed attempt (1 for the first): 1s, 2s, 4s ...
 * up to 5 minutes, stretched by up to 10% of jitter so that alerts queued together do not
 * all hit a receiver that just came back at the same instant. A receiver's Retry-After is
 * honoured up to the cap.
 */
export function retryDelay(attempts: number, random: () => number, retryAfterMs?: number): number {
  const exponent = Math.min(Math.max(attempts - 1, 0), 30);
  const base = Math.min(FIRST_RETRY_MS * 2 ** exponent, MAX_RETRY_MS);
  const jittered = Math.round(base * (1 + 0.1 * random()));
  return Math.min(Math.max(jittered, retryAfterMs ?? 0), MAX_RETRY_MS);
}

/** The next attempt's time, or null when that would be past the 24 hours: give up. */
export function nextAttemptAt(
  createdAt: number,
  now: number,
  attempts: number,
  random: () => number,
  retryAfterMs?: number,
): number | null {
  const at = now + retryDelay(attempts, random, retryAfterMs);
  return at - createdAt > GIVE_UP_AFTER_MS ? null : at;
}
