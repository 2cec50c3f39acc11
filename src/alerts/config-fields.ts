import { z } from "zod";
import { parseDuration } from "./duration.ts";
import { TRIGGER_NAMES } from "./triggers.ts";

/**
 * The building blocks of a channel's schema. Messages are relative to the key ("must be a
 * URL"); `parseAlertChannels` puts the key in front ("alerts[0].url must be a URL").
 */

/** The triggers a channel listens for when its `on` is left out. */
export const DEFAULT_TRIGGERS = ["failed", "timed_out"];
export const MAX_THRESHOLD = 100;

/** A zod `error` option that says "is required" for a missing key and `text` otherwise. */
export const rule = (text: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? "is required" : text),
});

export const text = (what = "must be a string") => z.string(rule(what)).min(1, "must not be empty");

const DURATION_RULE = "must be a duration like 30s, 5m, 1h or 1d";

/** A duration string (`30s`, `5m`, `1h`, `1d`) turned into milliseconds. */
export const duration = (maxMs = Infinity) =>
  z.string(rule(DURATION_RULE)).transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === null || ms === 0) {
      ctx.addIssue({ code: "custom", message: DURATION_RULE });
      return z.NEVER;
    }
    if (ms > maxMs) ctx.addIssue({ code: "custom", message: `must be at most ${maxMs / 60_000}m` });
    return ms;
  });

export const httpUrl = z.string(rule("must be a URL")).superRefine((value, ctx) => {
  if (!URL.canParse(value)) ctx.addIssue({ code: "custom", message: "must be a URL" });
  else if (!/^https?:$/.test(new URL(value).protocol)) {
    ctx.addIssue({ code: "custom", message: "must be an http:// or https:// URL" });
  }
});

export const stringTable = (what: string, value = z.string(rule("must be a string"))) =>
  z.record(z.string(), value, rule(what));

/** A program, an argument or an environment value: spawn refuses any with NUL, every time. */
export const spawnString = (what = "must be a string") =>
  z.string(rule(what)).refine((value) => !value.includes("\0"), "must not contain NUL");

/**
 * A value sent as an HTTP header: fetch refuses line breaks, NUL and other control
 * characters (a header could otherwise be split in two) and anything beyond ASCII.
 */
export const headerValue = (what = "must be a string") =>
  z
    .string(rule(what))
    .regex(
      /^[\x20-\x7e\t]*$/,
      "must be printable ASCII, without line breaks or control characters",
    );

export const emailAddress = text("must be an email address").refine(
  // Either a bare address or `Name <address>`, as mail headers allow.
  (value) => /^[^@\s<>]+@[^@\s<>]+$/.test(value.replace(/^[^<]*<([^>]*)>\s*$/, "$1")),
  "must be an email address",
);

const triggers = z
  .array(z.string(rule("must be a list of triggers")), rule('must be a list like ["failed"]'))
  .min(1, "must name at least one trigger")
  .superRefine((names, ctx) => {
    const unknown = names.find((name) => !TRIGGER_NAMES.includes(name));
    if (unknown === undefined) return;
    const known = TRIGGER_NAMES.join(", ");
    ctx.addIssue({ code: "custom", message: `unknown trigger '${unknown}' (known: ${known})` });
  });

/** The keys every channel has, whatever its type. */
export const commonFields = {
  name: text().max(64, "must be at most 64 characters"),
  on: triggers.default(DEFAULT_TRIGGERS),
  jobs: z
    .array(text("must be a glob string"), rule('must be a list of globs like ["backup-*"]'))
    .min(1, "must name at least one glob; leave it out to match every run")
    .nullable()
    .default(null),
  threshold: z
    .number(rule("must be a number"))
    .int("must be a whole number")
    .min(1, `must be from 1 to ${MAX_THRESHOLD}`)
    .max(MAX_THRESHOLD, `must be from 1 to ${MAX_THRESHOLD}`)
    .default(1),
  cooldown: duration().nullable().default(null),
};
