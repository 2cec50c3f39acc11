/** Secrets carry 256 random bits; the prefix makes a leaked one easy to recognise and grep. */
const SECRET_PREFIX = "sbx_";

export function generateSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return SECRET_PREFIX + Buffer.from(bytes).toString("base64url");
}

export function hashSecret(secret: string): Uint8Array {
  return new Bun.CryptoHasher("sha256").update(secret).digest() as Uint8Array;
}
