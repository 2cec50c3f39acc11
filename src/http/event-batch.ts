import { badRequest } from "../domain/errors.ts";
import type { LogLine } from "../domain/run-service.ts";
import { batchEventsSchema } from "./schemas.ts";

/**
 * Reads the body of `POST /api/jobs/:id/events`: `{"messages": [...]}` or a bare array, each
 * item a string or `{"message", "stream"?}`. The first problem becomes one sentence that
 * names the item's index (`messages[3]: message must not be empty`).
 */
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

  const result = batchEventsSchema.safeParse(items);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const index = issue?.path[0];
  const sentence = issue?.message ?? "the batch is not valid";
  if (typeof index !== "number") throw badRequest(sentence);
  throw badRequest(`messages[${index}]${sentence.startsWith("must") ? " " : ": "}${sentence}`);
}
