import type { Clock } from "../domain/clock.ts";
import type { ApiKey, KeyScope, KeyStore } from "../storage/key-store.ts";
import { generateSecret, hashSecret } from "./secrets.ts";

/** How stale `last used` may be: refreshing it on every request would double the writes. */
const TOUCH_INTERVAL_MS = 60_000;

export class KeyService {
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

  /** Makes sure a secret given by the operator (STATUSBOX_API_KEY) is an active write key. */
  ensure(secret: string, name: string): { created: boolean } {
    const existing = this.keys.findByHash(hashSecret(secret));
    if (existing) return { created: false };
    this.keys.insert(name, "write", hashSecret(secret), this.clock.now());
    return { created: true };
  }

  /** The active key for a presented secret, or null. */
  verify(secret: string): ApiKey | null {
    return this.keys.findActive(hashSecret(secret));
  }

  /** Whether `last used` is old enough to be worth a write. */
  needsTouch(key: ApiKey): boolean {
    return key.lastUsedAt === null || this.clock.now() - key.lastUsedAt >= TOUCH_INTERVAL_MS;
  }

  touch(key: ApiKey): void {
    this.keys.touch(key.id, this.clock.now());
  }

  list(): ApiKey[] {
    return this.keys.list();
  }

  revoke(id: number): boolean {
    return this.keys.revoke(id, this.clock.now());
  }

  hasAny(): boolean {
    return this.keys.countActive() > 0;
  }
}
