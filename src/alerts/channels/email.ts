import nodemailer from "nodemailer";
import type { AlertChannelOf } from "../channel-schemas.ts";
import { formatDuration } from "../duration.ts";
import { eventLines, oneLine, type AlertPayload } from "../payload.ts";
import {
  DeliveryAborted,
  delivered,
  failed,
  permanentFailure,
  redact,
  type DeliveryResult,
} from "./delivery.ts";
import { USER_AGENT } from "./http.ts";

type EmailChannel = AlertChannelOf<"email">;

const DEFAULT_PORTS = { tls: 465, starttls: 587, none: 25 } as const;
const SMTP_TIMEOUT_MS = 15_000;
/**
 * How long one mail may take, connection to last reply. nodemailer's timeouts only notice
 * silence: a server that keeps talking without ever finishing a reply would hold the
 * delivery, and a shutdown waiting for it, forever.
 */
export const EMAIL_DEADLINE_MS = 30_000;

/** The mail an alert becomes: a short subject, the summary and the last events as text. */
export function emailMessage(channel: EmailChannel, payload: AlertPayload) {
  const lines = eventLines(payload);
  const text = [
    payload.summary,
    "",
    `Run ${payload.run.id} (${[payload.run.name, payload.run.version].filter(Boolean).join(" ")})`,
    `status: ${payload.run.status}`,
    `started: ${payload.run.createdAt}`,
    `finished: ${payload.run.finishedAt ?? "-"}`,
    ...(lines.length > 0 ? ["", "Last events:", ...lines] : []),
    "",
  ].join("\n");
  return {
    from: channel.from,
    to: channel.to,
    subject: oneLine(`[StatusBox] ${payload.summary}`, 150),
    text,
    // A Message-ID derived from the idempotency key lets mail systems drop a duplicate.
    messageId: `<${payload.idempotencyKey}@statusbox>`,
    headers: { "x-statusbox-trigger": payload.trigger, "x-mailer": USER_AGENT },
  };
}

/**
 * Sends the alert by SMTP with nodemailer: `tls = "tls"` connects over TLS (port 465),
 * `"starttls"` (the default) requires STARTTLS before anything is sent (587), `"none"` sends
 * in clear (25, for a local relay). A 5xx SMTP reply is permanent; 4xx replies, refused
 * connections and timeouts are retried. The whole exchange has `deadlineMs`; at the
 * deadline, or when `signal` aborts (shutdown), the connection is destroyed at once.
 */
export async function sendEmail(
  channel: EmailChannel,
  payload: AlertPayload,
  signal: AbortSignal,
  { deadlineMs = EMAIL_DEADLINE_MS } = {},
): Promise<DeliveryResult> {
  const transport = nodemailer.createTransport({
    host: channel.host,
    port: channel.port ?? DEFAULT_PORTS[channel.tls],
    secure: channel.tls === "tls",
    requireTLS: channel.tls === "starttls",
    ignoreTLS: channel.tls === "none",
    auth: channel.user === null ? undefined : { user: channel.user, pass: channel.password ?? "" },
    tls: { rejectUnauthorized: channel.tls_verify },
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
    // Closing destroys the socket rather than waiting for the server to close its side:
    // a server that never stops talking would otherwise keep it, and the process, alive.
    socketCloseTimeout: 0,
  });
  // A timer of our own, cleared below, rather than AbortSignal.timeout: nothing is left
  // running once the mail is sent.
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), deadlineMs);
  try {
    const info = await transport.sendMail({
      ...emailMessage(channel, payload),
      // nodemailer closes the connection when this aborts, whatever stage it is at.
      signal: AbortSignal.any([signal, deadline.signal]),
    });
    const code = Number(/^(\d{3})/.exec(String(info.response))?.[1] ?? 250);
    return delivered(code);
  } catch (error) {
    if (signal.aborted) throw new DeliveryAborted();
    if (deadline.signal.aborted) {
      return failed(`no answer from the SMTP server within ${formatDuration(deadlineMs)}`);
    }
    return classify(error, [channel.password, channel.user]);
  } finally {
    clearTimeout(timer);
    transport.close();
  }
}

function classify(error: unknown, secrets: (string | null)[]): DeliveryResult {
  const smtp = error as { responseCode?: number; code?: string; message?: string };
  const message = redact(oneLine(smtp.message ?? String(error), 300), secrets);
  const code = typeof smtp.responseCode === "number" ? smtp.responseCode : null;
  const text = smtp.code && !message.includes(smtp.code) ? `${smtp.code}: ${message}` : message;
  if (code !== null && code >= 500) return permanentFailure(text, code);
  return failed(text, code);
}
