import { createHmac } from "node:crypto";
import type { AlertChannelOf } from "../channel-schemas.ts";
import type { AlertPayload } from "../payload.ts";
import type { DeliveryResult } from "./delivery.ts";
import { postAlert } from "./http.ts";

export const SIGNATURE_HEADER = "x-statusbox-signature-256";
export const IDEMPOTENCY_HEADER = "idempotency-key";

/** `sha256=` and the hex HMAC-SHA256 of the exact body bytes under the channel's secret. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

/**
 * POSTs the payload as JSON. The idempotency key is the same on every attempt of one alert;
 * with a `secret`, the signature header lets the receiver check the body came from us.
 * The channel's own `headers` (an Authorization, say) are sent too, but never override ours.
 */
export function sendWebhook(
  channel: AlertChannelOf<"webhook">,
  payload: AlertPayload,
  signal: AbortSignal,
): Promise<DeliveryResult> {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    ...lowerCaseKeys(channel.headers),
    "content-type": "application/json",
    [IDEMPOTENCY_HEADER]: payload.idempotencyKey,
    "x-statusbox-trigger": payload.trigger,
  };
  if (channel.secret !== null) headers[SIGNATURE_HEADER] = signBody(channel.secret, body);
  const secrets = [channel.secret, ...Object.values(channel.headers)];
  return postAlert({ url: channel.url, headers, body, secrets }, signal);
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
}
