/** The shortest secret `serve` accepts from STATUSBOX_API_KEY; ours have 47 characters. */
export const MIN_API_KEY_CHARACTERS = 16;
/** Longer would not fit comfortably in an Authorization header. */
export const MAX_API_KEY_CHARACTERS = 1024;

/**
 * What is wrong with an operator's secret for STATUSBOX_API_KEY, or null when it will do.
 * A secret that is short is guessable; one with spaces or control characters cannot be sent
 * in an `Authorization` header as one word, so every client would be refused with it.
 * Printable ASCII only, since header values outside it are not sent the same by every client.
 */
export function apiKeyProblem(secret: string): string | null {
  const length = secret.length;
  const rule =
    `${MIN_API_KEY_CHARACTERS} to ${MAX_API_KEY_CHARACTERS} printable ASCII characters with no ` +
    "spaces or control characters, such as a secret from 'statusbox keys create' (sbx_...)";
  if (/[^\x21-\x7e]/.test(secret)) {
    return `STATUSBOX_API_KEY must be ${rule}; it holds a space, a control or non-ASCII character`;
  }
  if (length < MIN_API_KEY_CHARACTERS || length > MAX_API_KEY_CHARACTERS) {
    return `STATUSBOX_API_KEY must be ${rule}; it has ${length} characters`;
  }
  return null;
}
