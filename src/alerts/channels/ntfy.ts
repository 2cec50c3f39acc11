import type { AlertChannelOf } from "../channel-schemas.ts";
import { eventLines, oneLine, type AlertPayload } from "../payload.ts";
import type { DeliveryResult } from "./delivery.ts";
import { postAlert } from "./http.ts";

const NTFY_EVENTS = 5;

/** ntfy's priority and tags (its emoji shortcodes) for each trigger. */
const LOOK: Record<string, { priority: string; tags: string }> = {
  failed: { priority: "high", tags: "rotating_light" },
  timed_out: { priority: "high", tags: "hourglass" },
  cancelled: { priority: "default", tags: "no_entry_sign" },
  completed: { priority: "default", tags: "white_check_mark" },
  recovered: { priority: "default", tags: "white_check_mark" },
  test: { priority: "default", tags: "bell" },
};

/**
 * ntfy's publish format: a POST of plain text to the topic URL, with the title, priority
 * and tags in headers. A header carries only ASCII, so a title with other characters (a job
 * named in Cyrillic) is sent as an RFC 2047 encoded word, which ntfy decodes.
 */
export function ntfyRequest(channel: AlertChannelOf<"ntfy">, payload: AlertPayload) {
  const look = LOOK[payload.trigger] ?? { priority: "default", tags: "bell" };
  const title = oneLine(`StatusBox: ${payload.run.name} ${payload.trigger.replace("_", " ")}`, 200);
  const headers: Record<string, string> = {
    "content-type": "text/plain; charset=utf-8",
    title: encodeHeader(title),
    priority: channel.priority ?? look.priority,
    tags: look.tags,
  };
  if (channel.token !== null) headers.authorization = `Bearer ${channel.token}`;
  const body = [payload.summary, ...eventLines(payload, NTFY_EVENTS)].join("\n");
  return { headers, body };
}

export function encodeHeader(text: string): string {
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return `=?UTF-8?B?${Buffer.from(text, "utf8").toString("base64")}?=`;
}

export function sendNtfy(
  channel: AlertChannelOf<"ntfy">,
  payload: AlertPayload,
  signal: AbortSignal,
): Promise<DeliveryResult> {
  const { headers, body } = ntfyRequest(channel, payload);
  return postAlert({ url: channel.url, headers, body, secrets: [channel.token] }, signal);
}
