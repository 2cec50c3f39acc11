import { badRequest } from "../domain/errors.ts";
import type { LogLine } from "../domain/run-service.ts";
import { readLimitedText } from "./body.ts";
import { batchEventsSchema, MAX_BATCH_EVENTS } from "./schemas.ts";

/**
 * Reads the body of `POST /api/jobs/:id/events`: `{"messages": [...]}` or a bare array, each
 * item a string or `{"message", "stream"?}`. The first problem becomes one sentence that
 * names the item's index (`messages[3]: message must not be empty`).
 */
export async function readEventBatch(request: Request): Promise<LogLine[]> {
  return parseEventBatch(await readLimitedText(request));
}

export function parseEventBatch(text: string): LogLine[] {
  if (text.trim() === "") throw badRequest('the request needs a JSON body: {"messages": [...]}');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw badRequest("the body is not valid JSON");
  }

  let items: unknown = body;
  if (!Array.isArray(body)) {
    if (typeof body !== "object" || body === null) {
      throw badRequest('the body must be {"messages": [...]} or a JSON array');
    }
    items = (body as { messages?: unknown }).messages;
    if (items === undefined) throw badRequest("messages is required");
  }

  const quick = quickCheck(items);
  if (quick) return quick;

  const result = batchEventsSchema.safeParse(items);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const index = issue?.path[0];
  const sentence = issue?.message ?? "the batch is not valid";
  if (typeof index !== "number") throw badRequest(sentence);
  throw badRequest(`messages[${index}]${sentence.startsWith("must") ? " " : ": "}${sentence}`);
}

/**
 * The hot path: a wrapper sends batches of a thousand lines many times a second, and
 * checking them item by item with zod costs more than storing them. This plain loop accepts
 * exactly what `batchEventsSchema` accepts; anything else goes to zod for the sentence.
 */
function quickCheck(items: unknown): LogLine[] | null {
  if (!Array.isArray(items) || items.length === 0 || items.length > MAX_BATCH_EVENTS) return null;
  const lines: LogLine[] = new Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    if (typeof item === "string") {
      if (item === "") return null;
      lines[i] = { message: item };
      continue;
    }
    if (typeof item !== "object" || item === null) return null;
    const { message, stream } = item as { message?: unknown; stream?: unknown };
    if (typeof message !== "string" || message === "") return null;
    if (stream !== undefined && stream !== null && stream !== "stdout" && stream !== "stderr") {
      return null;
    }
    lines[i] = { message, stream: stream ?? null };
  }
  return lines;
}

/** The longest `Idempotency-Key` accepted. */
export const MAX_IDEMPOTENCY_KEY_LENGTH = 200;

/**
 * The `Idempotency-Key` of a batch, checked. The daemon keeps each key with the events its
 * batch stored (same transaction), so a retry is stored once even across a restart.
 */
export function readIdempotencyKey(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (header.length > MAX_IDEMPOTENCY_KEY_LENGTH) {
    throw badRequest(`Idempotency-Key must be at most ${MAX_IDEMPOTENCY_KEY_LENGTH} characters`);
  }
  return header;
}
