import type { Clock } from "../domain/clock.ts";
import type { ApiKey, KeyScope, KeyStore } from "../storage/key-store.ts";
import { generateSecret, hashSecret } from "./secrets.ts";

/**
 * How stale `last used` may be: refreshing it on every request would double the writes.
 * `keys list --help` and the README state it (at most once a minute).
 */
const TOUCH_INTERVAL_MS = 60_000;

/**
 * How long a verified key is trusted without asking the database whether another process
 * changed it (a `keys revoke` from the command line). Checking costs as much as the lookup
 * itself, so it is done at most this often rather than on every request.
 */
const REVALIDATE_MS = 100;
const MAX_CACHED_KEYS = 1000;

export class KeyService {
  private readonly verified = new Map<string, ApiKey>();
  private checkedAt = -Infinity;
  private dataVersion = -1;

  constructor(
    private readonly keys: KeyStore,
    private readonly clock: Clock,
  ) {}

  /** Creates a key and answers its secret, which is shown once and never stored. */
  create(name: string, scope: KeyScope): { key: ApiKey; secret: string } {
    const secret = generateSecret();
    const id = this.keys.insert(name, scope, hashSecret(secret), this.clock.now());
    const key = this.keys.list().find((k) => k.id === id)!;
    return { key, secret };
  }

  /**
   * Makes sure a secret given by the operator (STATUSBOX_API_KEY) is a write key. A key that
   * was revoked stays revoked (revoking is the deliberate act of the two): the answer names
   * it, so that the daemon can say why that secret is refused.
   */
  ensure(secret: string, name: string): { created: boolean; revoked: ApiKey | null } {
    const existing = this.keys.findByHash(hashSecret(secret));
    if (existing) return { created: false, revoked: existing.revokedAt === null ? null : existing };
    this.keys.insert(name, "write", hashSecret(secret), this.clock.now());
    return { created: true, revoked: null };
  }

  /** Removes a key that was never handed out (a first key that could not be printed). */
  discard(secret: string): void {
    this.verified.delete(secret);
    this.keys.deleteByHash(hashSecret(secret));
  }

  /**
   * The active key for a presented secret, or null. Keys revoked through this service are
   * refused at once; keys revoked by another process within REVALIDATE_MS.
   */
  verify(secret: string): ApiKey | null {
    this.revalidate();
    const cached = this.verified.get(secret);
    if (cached) return cached;

    const key = this.keys.findActive(hashSecret(secret));
    // Only keys that exist are remembered, so unknown secrets cannot grow the cache.
    if (key && this.verified.size < MAX_CACHED_KEYS) this.verified.set(secret, key);
    return key;
  }

  private revalidate(): void {
    const now = this.clock.now();
    if (now - this.checkedAt < REVALIDATE_MS && now >= this.checkedAt) return;
    this.checkedAt = now;
    const version = this.keys.dataVersion();
    if (version !== this.dataVersion) this.verified.clear();
    this.dataVersion = version;
  }

  /**
   * Whether `last used` is old enough to be worth a write. Answering true claims the touch:
   * the cached key is marked used now, so concurrent requests do not queue the same write.
   */
  claimTouch(key: ApiKey): boolean {
    const now = this.clock.now();
    if (key.lastUsedAt !== null && now - key.lastUsedAt < TOUCH_INTERVAL_MS) return false;
    key.lastUsedAt = now;
    return true;
  }

  touch(key: ApiKey): void {
    this.keys.touch(key.id, key.lastUsedAt ?? this.clock.now());
  }

  list(): ApiKey[] {
    return this.keys.list();
  }

  revoke(id: number): boolean {
    this.verified.clear();
    return this.keys.revoke(id, this.clock.now());
  }

  hasAny(): boolean {
    return this.keys.countActive() > 0;
  }
}
