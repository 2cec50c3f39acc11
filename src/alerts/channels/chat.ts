import type { AlertChannelOf } from "../channel-schemas.ts";
import { eventLines, type AlertPayload } from "../payload.ts";
import type { DeliveryResult } from "./delivery.ts";
import { postAlert } from "./http.ts";

/** How many of the last events chat messages show, and Discord's limit on a message. */
const CHAT_EVENTS = 5;
const DISCORD_MAX_CHARS = 2000;

const ICONS: Record<string, string> = {
  failed: ":x:",
  timed_out: ":hourglass:",
  cancelled: ":no_entry_sign:",
  completed: ":white_check_mark:",
  recovered: ":white_check_mark:",
  test: ":bell:",
};

/**
 * Slack's incoming-webhook format: `text` in Slack's markup, the summary in bold and the
 * last events in a code block. `&`, `<` and `>` are escaped, as Slack requires, so that a
 * log line cannot smuggle in a link or a mention.
 */
export function slackMessage(payload: AlertPayload): { text: string } {
  const escape = (text: string) =>
    text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
  const lines = eventLines(payload, CHAT_EVENTS).map(escape);
  const icon = ICONS[payload.trigger] ?? ":bell:";
  const head = `${icon} *${escape(payload.summary)}*`;
  return { text: lines.length > 0 ? `${head}\n\`\`\`\n${lines.join("\n")}\n\`\`\`` : head };
}

/**
 * Discord's webhook format: `content` in Discord's markdown, at most 2000 characters, with
 * every mention disabled so that a log line saying @everyone pings nobody.
 */
export function discordMessage(payload: AlertPayload) {
  const icon = ICONS[payload.trigger] ?? ":bell:";
  const head = `${icon} **${payload.summary.replaceAll("*", "\\*")}**`;
  let lines = eventLines(payload, CHAT_EVENTS).map((line) => line.replaceAll("```", "'''"));
  let content = withBlock(head, lines);
  while (content.length > DISCORD_MAX_CHARS && lines.length > 0) {
    lines = lines.slice(1);
    content = withBlock(head, lines);
  }
  if (content.length > DISCORD_MAX_CHARS) content = `${content.slice(0, DISCORD_MAX_CHARS - 1)}…`;
  return { content, username: "StatusBox", allowed_mentions: { parse: [] as string[] } };
}

const withBlock = (head: string, lines: string[]) =>
  lines.length > 0 ? `${head}\n\`\`\`\n${lines.join("\n")}\n\`\`\`` : head;

export function sendSlack(
  channel: AlertChannelOf<"slack">,
  payload: AlertPayload,
  signal: AbortSignal,
): Promise<DeliveryResult> {
  const body = JSON.stringify(slackMessage(payload));
  return postAlert({ url: channel.url, headers: jsonHeaders, body, secrets: [] }, signal);
}

export function sendDiscord(
  channel: AlertChannelOf<"discord">,
  payload: AlertPayload,
  signal: AbortSignal,
): Promise<DeliveryResult> {
  const body = JSON.stringify(discordMessage(payload));
  return postAlert({ url: channel.url, headers: jsonHeaders, body, secrets: [] }, signal);
}

const jsonHeaders = { "content-type": "application/json" };
