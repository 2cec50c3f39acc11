import type { Logger } from "../log/logger.ts";
import type { KeyService } from "./key-service.ts";

/**
 * The keys a start of the daemon needs: the operator's STATUSBOX_API_KEY ensured (one that
 * was revoked stays revoked, with a warning that names it), and on a database with no key
 * at all a first one, whose secret is answered so that it can be shown once.
 */
export function bootstrapKeys(
  keys: KeyService,
  ensureKey: string | undefined,
  logger: Logger,
): string | null {
  const revoked = ensureKey ? keys.ensure(ensureKey, "STATUSBOX_API_KEY").revoked : null;
  if (revoked) {
    logger.warn("STATUSBOX_API_KEY is a revoked key and stays revoked: requests with it get 401", {
      key_id: revoked.id,
      revoked_at: new Date(revoked.revokedAt!).toISOString(),
    });
  }
  if (keys.list().length > 0) return null;
  return keys.create("first key", "write").secret;
}

/**
 * A first key that could not be shown to anyone (stdout closed, sent to /dev/null, a full
 * disk) is no key at all: it is removed, so that the next start makes and prints another,
 * and the log says how to make one meanwhile.
 */
export function showFirstKey(
  secret: string,
  keys: KeyService,
  logger: Logger,
  show: ((secret: string) => void) | undefined,
): string | null {
  try {
    show?.(secret);
    return secret;
  } catch (error) {
    keys.discard(secret);
    logger.warn("the first API key could not be shown, so none was kept", {
      reason: (error as Error).message,
      hint: "create one with: statusbox keys create",
    });
    return null;
  }
}
