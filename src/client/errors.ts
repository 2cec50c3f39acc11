/**
 * The daemon answered with an error. `status` is the HTTP status, `message` the daemon's own
 * sentence and `code` its machine code (`conflict`, `not_found`, ...); `body` is the whole
 * error object, which for a refused end signal also holds `jobStatus`. An answer that is not
 * the daemon's JSON (a proxy's page, another server at the URL), whatever its status, has
 * the code `http_error` and a message that starts with the status line.
 */
export class StatusBoxApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly body: Record<string, unknown>;
  /** How long the daemon asked to wait before a retry (`Retry-After`), 0 when it did not. */
  readonly retryAfterMs: number;

  constructor(
    status: number,
    code: string,
    message: string,
    body: Record<string, unknown>,
    retryAfterMs = 0,
  ) {
    super(message);
    this.name = "StatusBoxApiError";
    this.status = status;
    this.code = code;
    this.body = body;
    this.retryAfterMs = retryAfterMs;
  }

  /** The state of the run when an end signal was refused (409), if the daemon said it. */
  get jobStatus(): string | undefined {
    const value = this.body.jobStatus;
    return typeof value === "string" ? value : undefined;
  }
}

/**
 * No answer from the daemon: it could not be reached, the connection broke, or the request
 * timed out. `delivered` says whether the request may have reached the daemon: false when
 * the connection was refused or the name did not resolve, so nothing was stored.
 */
export class StatusBoxConnectionError extends Error {
  readonly url: string;
  readonly delivered: boolean;

  constructor(url: string, message: string, delivered: boolean, cause?: unknown) {
    super(message, { cause });
    this.name = "StatusBoxConnectionError";
    this.url = url;
    this.delivered = delivered;
  }
}

/** "HTTP 502 Bad Gateway": how an answer that is not the daemon's is named. */
export const statusLine = (response: Response): string =>
  `HTTP ${response.status} ${response.statusText}`.trimEnd();

/** Errors meaning that the request never left this host, so that no retry can duplicate it. */
const UNDELIVERED_CODES = new Set([
  "ECONNREFUSED",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ConnectionRefused",
]);

/** Turns whatever fetch threw into a StatusBoxConnectionError that names the daemon's URL. */
export function connectionError(url: string, error: unknown): StatusBoxConnectionError {
  const code = (error as { code?: unknown } | null)?.code;
  const name = (error as { name?: unknown } | null)?.name;
  if (name === "TimeoutError") {
    return new StatusBoxConnectionError(url, `no answer from ${url} in time`, true, error);
  }
  const delivered = !(typeof code === "string" && UNDELIVERED_CODES.has(code));
  const reason = typeof code === "string" ? code : String((error as Error)?.message ?? error);
  return new StatusBoxConnectionError(url, `cannot reach ${url} (${reason})`, delivered, error);
}

/** An error answer as a StatusBoxApiError: the daemon's JSON, or the status line of another's. */
export function apiError(response: Response, text: string): StatusBoxApiError {
  let body: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (parsed && typeof parsed === "object" && !Array.isArray(parsed))
      body = parsed as typeof body;
  } catch {
    // Not our JSON (a proxy's HTML page, say): the status line is all there is to say.
  }
  const location = response.headers.get("location");
  const message =
    typeof body.error === "string"
      ? body.error
      : location !== null && response.status >= 300 && response.status < 400
        ? `${statusLine(response)} to ${location}`
        : statusLine(response);
  const code = typeof body.code === "string" ? body.code : "http_error";
  const retryAfter = Number(response.headers.get("retry-after"));
  const retryAfterMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 0;
  return new StatusBoxApiError(response.status, code, message, body, retryAfterMs);
}
