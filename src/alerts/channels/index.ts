import type { AlertChannel, AlertChannelOf, ChannelType } from "../channel-schemas.ts";
import type { AlertPayload } from "../payload.ts";
import { sendDiscord, sendSlack } from "./chat.ts";
import { sendCommand } from "./command.ts";
import type { DeliveryResult } from "./delivery.ts";
import { sendEmail } from "./email.ts";
import { sendNtfy } from "./ntfy.ts";
import { sendWebhook } from "./webhook.ts";

type Sender<T extends ChannelType> = (
  channel: AlertChannelOf<T>,
  payload: AlertPayload,
  signal: AbortSignal,
) => Promise<DeliveryResult>;

/** How each type of channel delivers; one file per type beside this one. */
const SENDERS: { [T in ChannelType]: Sender<T> } = {
  webhook: sendWebhook,
  slack: sendSlack,
  discord: sendDiscord,
  ntfy: sendNtfy,
  email: sendEmail,
  command: sendCommand,
};

/**
 * Delivers one alert on one channel. Failures come back as a DeliveryResult; only a stop
 * of the dispatcher (DeliveryAborted) is thrown.
 */
export function deliver(
  channel: AlertChannel,
  payload: AlertPayload,
  signal: AbortSignal,
): Promise<DeliveryResult> {
  const send = SENDERS[channel.type] as Sender<ChannelType>;
  return send(channel as never, payload, signal);
}
