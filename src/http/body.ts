import type { Context } from "hono";
import type { z } from "zod";
import { badRequest, StatusBoxError } from "../domain/errors.ts";
import { readTextWithin } from "../text/bounded-read.ts";

/** The largest request body the API reads. */
export const MAX_BODY_BYTES = 1024 * 1024;

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
  const text = await readLimitedText(c.req.raw);
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

/**
 * The body as text, refusing one over MAX_BODY_BYTES. A declared Content-Length over the
 * limit is refused before anything is read; a chunked body is read only up to the limit.
 * (A generic middleware would touch `request.body` on every request, which costs a stream
 * even when the route never reads it.)
 */
export async function readLimitedText(request: Request): Promise<string> {
  const declared = request.headers.get("content-length");
  if (declared !== null && !request.headers.has("transfer-encoding")) {
    if (Number(declared) > MAX_BODY_BYTES) throw tooLarge();
    return request.text();
  }
  return readTextWithin(request.body, MAX_BODY_BYTES, tooLarge);
}

const tooLarge = () => new StatusBoxError("payload_too_large", "the body is larger than 1 MiB");
