/** The one JSON error shape of the API: `{"status":"error","error":"...","code":"..."}`. */
export interface ErrorBody {
  status: "error";
  error: string;
  code: string;
}

/** Whether a parsed body is our error shape, with a non-empty sentence and a code. */
export function isErrorShape(body: unknown): body is ErrorBody {
  if (typeof body !== "object" || body === null) return false;
  const { status, error, code } = body as Record<string, unknown>;
  return (
    status === "error" && typeof error === "string" && error.length > 0 && typeof code === "string"
  );
}

/**
 * Why an answer breaks the API's promises, or null when it keeps them: never a 5xx other
 * than a 503 with Retry-After, and every error in the JSON shape with a JSON content type.
 * `allow503` is for tests that cause storage faults on purpose.
 */
export function describeBadAnswer(
  status: number,
  headers: Headers,
  text: string,
  options: { method?: string; allow503?: boolean } = {},
): string | null {
  if (status >= 500) {
    if (!(options.allow503 && status === 503)) return `answered ${status}: ${text.slice(0, 200)}`;
    if (headers.get("retry-after") === null) return "a 503 without Retry-After";
  }
  if (status < 400 || options.method === "HEAD") return null;

  if (!(headers.get("content-type") ?? "").includes("application/json")) {
    return `error ${status} without a JSON content type`;
  }
  try {
    if (!isErrorShape(JSON.parse(text))) return `error ${status} not in the shape: ${text}`;
  } catch {
    return `error ${status} with a body that is not JSON: ${text.slice(0, 200)}`;
  }
  return null;
}
