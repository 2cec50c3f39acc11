import { z } from "zod";
import {
  CHANNEL_SCHEMAS,
  CHANNEL_TYPES,
  type AlertChannel,
  type ChannelType,
} from "./channel-schemas.ts";

export { CHANNEL_TYPES, type AlertChannel, type ChannelType } from "./channel-schemas.ts";

/**
 * Validates the `alerts` key of the config file: an array of tables, each a channel of a
 * known type with a name no other channel has. Answers the channels with their defaults
 * filled in, or the first mistake as one sentence that names the key
 * ("alerts[0].url must be a URL", "alerts[1].on: unknown trigger 'failure' ...").
 */
export function parseAlertChannels(
  value: unknown,
): { channels: AlertChannel[] } | { error: string } {
  if (!Array.isArray(value) || value.some((item) => !isTable(item))) {
    return { error: "alerts must be [[alerts]] tables" };
  }

  const channels: AlertChannel[] = [];
  for (const [index, table] of (value as Record<string, unknown>[]).entries()) {
    const key = `alerts[${index}]`;
    const type = table.type;
    if (!CHANNEL_TYPES.includes(type as ChannelType)) {
      const what =
        type === undefined ? "is required" : `must be one of ${CHANNEL_TYPES.join(", ")}`;
      return { error: `${key}.type ${what}` };
    }

    const result = CHANNEL_SCHEMAS[type as ChannelType].safeParse(table);
    if (!result.success)
      return { error: describeIssue(key, type as string, result.error.issues[0]) };
    const clash = channels.findIndex((channel) => channel.name === result.data.name);
    if (clash >= 0) {
      return { error: `${key}.name '${result.data.name}' is already the name of alerts[${clash}]` };
    }
    channels.push(result.data);
  }
  return { channels };
}

/** The `alerts` key for the config file's schema: parses, or reports one issue naming the key. */
export const alertsConfigSchema = z.unknown().transform((value, ctx): AlertChannel[] => {
  const parsed = parseAlertChannels(value);
  if ("channels" in parsed) return parsed.channels;
  ctx.addIssue({ code: "custom", message: parsed.error });
  return z.NEVER;
});

function describeIssue(key: string, type: string, issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return `${key} is not a valid channel`;
  const where =
    key + issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
  if (issue.code === "unrecognized_keys") {
    return `unknown key '${where}.${issue.keys[0]}' for a ${type} channel`;
  }
  const joiner = /^(must|is) /.test(issue.message) ? " " : ": ";
  return `${where}${joiner}${issue.message}`;
}

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
