import type { Database } from "bun:sqlite";

export type KeyScope = "write" | "read";

export interface ApiKey {
  id: number;
  name: string;
  scope: KeyScope;
  createdAt: number;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

interface KeyRow {
  id: number;
  name: string;
  scope: KeyScope;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

const toKey = (row: KeyRow): ApiKey => ({
  id: row.id,
  name: row.name,
  scope: row.scope,
  createdAt: row.created_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

/** The SQL behind API keys. Only a secret's SHA-256 is ever stored. */
export class KeyStore {
  constructor(private readonly db: Database) {}

  insert(name: string, scope: KeyScope, secretSha256: Uint8Array, createdAt: number): number {
    const result = this.db
      .query(
        `INSERT INTO api_keys (name, scope, secret_sha256, created_at)
         VALUES ($name, $scope, $hash, $createdAt)`,
      )
      .run({ name, scope, hash: secretSha256, createdAt });
    return Number(result.lastInsertRowid);
  }

  /** The active key with this hash, or null when unknown or revoked. */
  findActive(secretSha256: Uint8Array): ApiKey | null {
    const row = this.db
      .query<KeyRow, [Uint8Array]>(
        "SELECT * FROM api_keys WHERE secret_sha256 = ? AND revoked_at IS NULL",
      )
      .get(secretSha256);
    return row ? toKey(row) : null;
  }

  /** Any key with this hash, revoked or not. */
  findByHash(secretSha256: Uint8Array): ApiKey | null {
    const row = this.db
      .query<KeyRow, [Uint8Array]>("SELECT * FROM api_keys WHERE secret_sha256 = ?")
      .get(secretSha256);
    return row ? toKey(row) : null;
  }

  list(): ApiKey[] {
    return this.db.query<KeyRow, []>("SELECT * FROM api_keys ORDER BY id").all().map(toKey);
  }

  countActive(): number {
    const row = this.db
      .query<{ n: number }, []>("SELECT count(*) AS n FROM api_keys WHERE revoked_at IS NULL")
      .get();
    return row?.n ?? 0;
  }

  /** Removes the key with this hash altogether; answers whether there was one. */
  deleteByHash(secretSha256: Uint8Array): boolean {
    const result = this.db.query("DELETE FROM api_keys WHERE secret_sha256 = ?").run(secretSha256);
    return result.changes === 1;
  }

  revoke(id: number, at: number): boolean {
    const result = this.db
      .query("UPDATE api_keys SET revoked_at = $at WHERE id = $id AND revoked_at IS NULL")
      .run({ id, at });
    return result.changes === 1;
  }

  /** Changes whenever another connection (another process) commits to the database. */
  dataVersion(): number {
    return (this.db.query("PRAGMA data_version").get() as { data_version: number }).data_version;
  }

  touch(id: number, at: number): void {
    this.db.query("UPDATE api_keys SET last_used_at = $at WHERE id = $id").run({ id, at });
  }
}
