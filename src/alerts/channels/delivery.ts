import type { DeliveryOutcome } from "../outbox-store.ts";

/** What one attempt at delivering an alert came to. Failures are data, never thrown. */
export interface DeliveryResult {
  outcome: DeliveryOutcome;
  /** The HTTP status, or the SMTP reply code; null when there was none. */
  statusCode: number | null;
  /** One line for the log and `alerts log`, without secrets; null when delivered. */
  error: string | null;
  /** A receiver's Retry-After, when it gave one. */
  retryAfterMs?: number;
}

export const delivered = (statusCode: number | null = null): DeliveryResult => ({
  outcome: "delivered",
  statusCode,
  error: null,
});

export const failed = (error: string, statusCode: number | null = null): DeliveryResult => ({
  outcome: "failed",
  statusCode,
  error,
});

export const permanentFailure = (
  error: string,
  statusCode: number | null = null,
): DeliveryResult => ({
  outcome: "permanent_failure",
  statusCode,
  error,
});

/** Thrown by a sender when the dispatcher stopped it midway: the attempt does not count. */
export class DeliveryAborted extends Error {
  constructor() {
    super("delivery stopped by shutdown");
    this.name = "DeliveryAborted";
  }
}

/**
 * Replaces every secret (URLs with their tokens, passwords, keys) found in an error message,
 * so that what reaches the log and the database never carries one.
 */
export function redact(text: string, secrets: readonly (string | null | undefined)[]): string {
  let result = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) result = result.split(secret).join("[redacted]");
  }
  return result;
}
