import type { Context } from "hono";
import type { z } from "zod";
import { badRequest } from "../domain/errors.ts";

/**
 * Reads and validates a JSON body. The content type is not checked: clients of the hosted
 * service send JSON with and without it. An empty body counts as `{}` only when
 * `emptyAllowed` (the end signals are sent with no body at all).
 */
export async function readBody<S extends z.ZodType>(
  c: Context,
  schema: S,
  options: { emptyAllowed?: boolean } = {},
): Promise<z.infer<S>> {
  const text = await c.req.text();
  let body: unknown = {};
  if (text.trim() === "") {
    if (!options.emptyAllowed) throw badRequest("the request needs a JSON object body");
  } else {
    body = parseJson(text);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw badRequest("the body must be a JSON object");
  }
  return validate(schema, body);
}

/** Validates with zod and turns the first problem into one sentence naming the field. */
export function validate<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw badRequest(issue?.message ?? "the request is not valid");
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest("the body is not valid JSON");
  }
}
