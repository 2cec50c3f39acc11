import { z } from "zod";
import { characterCount, jobNameProblem, MAX_NAME_CHARACTERS } from "../domain/job-name.ts";
import { RUN_STATUSES } from "../domain/run.ts";

export { MAX_NAME_CHARACTERS };

/** 366 days: the longest timeout the hosted service accepted. */
export const MAX_TIMEOUT_SECONDS = 366 * 24 * 60 * 60;
export const MAX_VERSION_CHARACTERS = 64;

/** A type error that says "is required" when the field is absent. */
const typed = (field: string, type: string) => ({
  error: (issue: { input?: unknown }) => {
    if (issue.input === undefined) return `${field} is required`;
    // JSON.parse reads 1e400 as Infinity: a number, but not one that can be stored.
    if (type === "number" && typeof issue.input === "number") {
      return `${field} must be a finite number`;
    }
    return `${field} must be a ${type}`;
  },
});

/** A job name, by the rules of domain/job-name.ts (one sentence for the first broken one). */
const nameField = z
  .string(typed("name", "string"))
  .superRefine((name, context) => {
    const problem = jobNameProblem(name);
    if (problem) context.addIssue({ code: "custom", message: problem });
  })
  .meta({ minLength: 1, maxLength: MAX_NAME_CHARACTERS });

export const messageField = z
  .string(typed("message", "string"))
  .min(1, "message must not be empty")
  .meta({ description: "Stored truncated to 16 KiB of UTF-8 when longer." });

export const createJobSchema = z.object({
  name: nameField,
  timeoutSeconds: z
    .number(typed("timeoutSeconds", "number"))
    .gt(0, "timeoutSeconds must be greater than 0")
    .lte(MAX_TIMEOUT_SECONDS, `timeoutSeconds must be at most ${MAX_TIMEOUT_SECONDS} (366 days)`),
  version: z
    .string({ error: "version must be a string" })
    .refine(
      (s) => characterCount(s) <= MAX_VERSION_CHARACTERS,
      "version must be at most 64 characters",
    )
    .meta({ maxLength: MAX_VERSION_CHARACTERS })
    .nullish(),
});

export const logEventSchema = z.object({ message: messageField });

/** The most events one `POST /api/jobs/:id/events` may carry. */
export const MAX_BATCH_EVENTS = 1000;

/** One item of a batch: a bare message, or `{message, stream?}`. */
const batchItemSchema = z.preprocess(
  (item) => (typeof item === "string" ? { message: item } : item),
  z.object(
    {
      message: messageField,
      stream: z.enum(["stdout", "stderr"], { error: "stream must be stdout or stderr" }).nullish(),
    },
    { error: "must be a string or an object with a message" },
  ),
);

export const batchEventsSchema = z
  .array(batchItemSchema, { error: "messages must be an array" })
  .min(1, "messages must hold at least one message")
  .max(MAX_BATCH_EVENTS, `messages must hold at most ${MAX_BATCH_EVENTS} messages`);

export const endSignalSchema = z.object({
  message: messageField.optional(),
  exitCode: z
    .number({ error: "exitCode must be a number" })
    .int("exitCode must be a whole number")
    .min(0, "exitCode must be from 0 to 255")
    .max(255, "exitCode must be from 0 to 255")
    .optional(),
});

const wholeNumber = (field: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d{1,16}$/, `${field} must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `${field} must be a whole number from ${min} to ${max}`);

export const listJobsQuery = z.object({
  status: z
    .enum(RUN_STATUSES, { error: `status must be one of ${RUN_STATUSES.join(", ")}` })
    .optional(),
  name: z.string().optional(),
  limit: wholeNumber("limit", 1, 500).default(50),
  before: wholeNumber("before", 1, Number.MAX_SAFE_INTEGER).optional(),
});

export const listEventsQuery = z.object({
  after: wholeNumber("after", 0, Number.MAX_SAFE_INTEGER).default(0),
  limit: wholeNumber("limit", 1, 1000).default(100),
});
