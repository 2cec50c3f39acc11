import { VERSION } from "../../version.ts";
import {
  DeliveryAborted,
  delivered,
  failed,
  permanentFailure,
  redact,
  type DeliveryResult,
} from "./delivery.ts";

/** How long one HTTP delivery may take, connection to last byte. */
export const HTTP_TIMEOUT_MS = 10_000;
const ERROR_BODY_CHARS = 200;

export const USER_AGENT = `StatusBox/${VERSION}`;

export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Values that must not appear in an error message (the URL itself, tokens). */
  secrets: readonly (string | null | undefined)[];
}

/**
 * POSTs an alert and classifies the answer: 2xx delivered; 429 and 5xx failed (retried);
 * any other 4xx a permanent failure (the receiver refuses this request and will again);
 * a redirect a permanent failure too, since following it would turn the POST into a GET.
 * Network errors and timeouts are failures to retry. Throws DeliveryAborted on shutdown.
 */
export async function postAlert(
  request: HttpRequest,
  signal: AbortSignal,
): Promise<DeliveryResult> {
  const secrets = [request.url, ...request.secrets];
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: "POST",
      headers: { "user-agent": USER_AGENT, ...request.headers },
      body: request.body,
      redirect: "manual",
      signal: AbortSignal.any([signal, AbortSignal.timeout(HTTP_TIMEOUT_MS)]),
    });
  } catch (error) {
    if (signal.aborted) throw new DeliveryAborted();
    return failed(redact(describeNetworkError(error), secrets));
  }

  const status = response.status;
  const text = await readSome(response);
  if (status >= 200 && status < 300) return delivered(status);

  const detail = text ? `: ${redact(text, secrets)}` : "";
  if (status === 429) {
    const result = failed(`HTTP 429 too many requests${detail}`, status);
    const retryAfter = parseRetryAfter(response.headers.get("retry-after"));
    return retryAfter === null ? result : { ...result, retryAfterMs: retryAfter };
  }
  if (status >= 300 && status < 400) {
    return permanentFailure(`HTTP ${status} redirect: use the final URL in the config`, status);
  }
  if (status >= 400 && status < 500) return permanentFailure(`HTTP ${status}${detail}`, status);
  return failed(`HTTP ${status}${detail}`, status);
}

/** The start of a response body, on one line; the rest is not read into memory. */
async function readSome(response: Response): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return "";
  const decoder = new TextDecoder();
  let text = "";
  try {
    while (text.length < ERROR_BODY_CHARS * 4) {
      const { done, value } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    await reader.cancel();
  } catch {
    // A body cut short still leaves what was read; the status is what counts.
  }
  return text.replace(/\s+/g, " ").trim().slice(0, ERROR_BODY_CHARS);
}

function describeNetworkError(error: unknown): string {
  const name = (error as { name?: string } | null)?.name;
  if (name === "TimeoutError") return `no answer within ${HTTP_TIMEOUT_MS / 1000}s`;
  const code = (error as { code?: string } | null)?.code;
  const message = error instanceof Error ? error.message : String(error);
  // Bun's message already starts with the code ("ECONNREFUSED: Unable to connect ...").
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/** Retry-After in seconds or as an HTTP date, in milliseconds from now. */
function parseRetryAfter(value: string | null): number | null {
  if (value === null) return null;
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, date - Date.now());
}
