import { z } from "zod";
import {
  commonFields,
  duration,
  emailAddress,
  headerValue,
  httpUrl,
  rule,
  spawnString,
  stringTable,
  text,
} from "./config-fields.ts";

export const CHANNEL_TYPES = ["webhook", "slack", "discord", "ntfy", "email", "command"] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

const MAX_COMMAND_TIMEOUT_MS = 10 * 60_000;
const NTFY_PRIORITIES = ["min", "low", "default", "high", "urgent"] as const;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const HEADER_NAME = /^[A-Za-z0-9-]+$/;

const optionalText = () => text().nullable().default(null);

const email = z
  .strictObject({
    ...commonFields,
    type: z.literal("email"),
    host: text(),
    port: z
      .number(rule("must be a number"))
      .int("must be a whole number")
      .min(1, "must be from 1 to 65535")
      .max(65535, "must be from 1 to 65535")
      .nullable()
      .default(null),
    tls: z
      .enum(["starttls", "tls", "none"], rule("must be starttls, tls or none"))
      .default("starttls"),
    tls_verify: z.boolean(rule("must be true or false")).default(true),
    user: optionalText(),
    password: optionalText(),
    from: emailAddress,
    to: z.preprocess(
      (value) => (typeof value === "string" ? [value] : value),
      z
        .array(emailAddress, rule("must be an address or a list of addresses"))
        .min(1, "must name at least one address"),
    ),
  })
  .superRefine((value, ctx) => {
    if ((value.user === null) === (value.password === null)) return;
    const [missing, given] = value.user === null ? ["user", "password"] : ["password", "user"];
    ctx.addIssue({ code: "custom", path: [missing], message: `is required when ${given} is set` });
  });

const command = z.strictObject({
  ...commonFields,
  type: z.literal("command"),
  command: z
    .array(spawnString("must be a list of strings"), rule('must be a list like ["/bin/page-me"]'))
    .min(1, "must name the program to run")
    .refine((argv) => argv[0] !== "", "must name the program to run"),
  timeout: duration(MAX_COMMAND_TIMEOUT_MS).default(30_000),
  env: stringTable("must be a table of variable names and values", spawnString())
    .refine((env) => Object.keys(env).every((key) => ENV_NAME.test(key)), {
      message: "must have names made of letters, digits and _",
    })
    .default({}),
});

/** The schema of each channel type: the common keys plus its own; unknown keys are refused. */
export const CHANNEL_SCHEMAS = {
  webhook: z.strictObject({
    ...commonFields,
    type: z.literal("webhook"),
    url: httpUrl,
    secret: optionalText(),
    headers: stringTable("must be a table of header names and values", headerValue())
      .refine((headers) => Object.keys(headers).every((name) => HEADER_NAME.test(name)), {
        message: "must have names made of letters, digits and -",
      })
      .default({}),
  }),
  slack: z.strictObject({ ...commonFields, type: z.literal("slack"), url: httpUrl }),
  discord: z.strictObject({ ...commonFields, type: z.literal("discord"), url: httpUrl }),
  ntfy: z.strictObject({
    ...commonFields,
    type: z.literal("ntfy"),
    url: httpUrl,
    // Sent as `Authorization: Bearer <token>`.
    token: headerValue().min(1, "must not be empty").nullable().default(null),
    priority: z
      .enum(NTFY_PRIORITIES, rule("must be min, low, default, high or urgent"))
      .nullable()
      .default(null),
  }),
  email,
  command,
} satisfies Record<ChannelType, z.ZodType>;

export type AlertChannelOf<T extends ChannelType> = z.output<(typeof CHANNEL_SCHEMAS)[T]>;
export type AlertChannel = { [T in ChannelType]: AlertChannelOf<T> }[ChannelType];
