import fc from "fast-check";
import { MAX_IDEMPOTENCY_KEY_LENGTH } from "../../src/http/event-batch.ts";
import { MAX_BATCH_EVENTS } from "../../src/http/schemas.ts";
import type { FuzzRequest, FuzzWorld } from "./fuzz-target.ts";

/**
 * Batches at the limits of `POST /api/jobs/{id}/events`, which random bodies reach only by
 * luck: exactly MAX_BATCH_EVENTS events and one more, and an Idempotency-Key of exactly the
 * longest length accepted and one character more.
 *
 * Note: the keys come from a small set, so most are used again on the same run, with the same
 * batch (a replay that stores nothing new) or another (a 422 that must store nothing). This
 * also keeps the batches that are stored few: each adds a thousand events, and the check's
 * fingerprint of the database grows slower with every one.
 */
export interface LimitBatch {
  path: string;
  body: string;
  idempotencyKey: string | null;
}

const eventCount = fc.constantFrom(1, MAX_BATCH_EVENTS, MAX_BATCH_EVENTS + 1);

/** The last item: valid, or broken so that the whole batch is checked and refused by zod. */
const lastItem = fc.constantFrom<unknown>(
  "last",
  { message: "last", stream: "stderr" },
  "",
  { message: "last", stream: "stdin" },
  null,
);

const items = fc
  .tuple(eventCount, lastItem)
  .map(([count, last]) => [
    ...Array.from({ length: count - 1 }, (_, i) =>
      i % 2 ? `line ${i}` : { message: `line ${i}`, stream: "stdout" },
    ),
    last,
  ]);

const idempotencyKey = fc.option(
  fc
    .tuple(
      fc.constantFrom(MAX_IDEMPOTENCY_KEY_LENGTH, MAX_IDEMPOTENCY_KEY_LENGTH + 1),
      fc.constantFrom("a", "b"),
    )
    .map(([length, letter]) => letter.repeat(length)),
  { nil: null },
);

/** A batch at or just past the limits, for one of the runs of `world`. */
export function limitBatch(world: FuzzWorld): fc.Arbitrary<LimitBatch> {
  return fc
    .record({
      runId: fc.constantFrom(...world.runIds),
      items,
      bare: fc.boolean(),
      idempotencyKey,
    })
    .map(({ runId, items, bare, idempotencyKey }) => ({
      path: `/api/jobs/${runId}/events`,
      body: JSON.stringify(bare ? items : { messages: items }),
      idempotencyKey,
    }));
}

/** Which limits of `limitBatch` a request is at: for a test that they are still reached. */
export function limitsReached(request: FuzzRequest): string[] {
  const reached: string[] = [];
  const key = request.headers.find(([name]) => name === "idempotency-key")?.[1];
  if (key?.length === MAX_IDEMPOTENCY_KEY_LENGTH) reached.push("key at the limit");
  if (key?.length === MAX_IDEMPOTENCY_KEY_LENGTH + 1) reached.push("key over the limit");

  const isBatch = /^\/api\/jobs\/\d+\/events$/.test(request.path);
  if (!isBatch || typeof request.body !== "string" || request.body.length > 100_000) {
    return reached;
  }
  const count = countItems(request.body);
  if (count === MAX_BATCH_EVENTS) reached.push("batch at the limit");
  if (count === MAX_BATCH_EVENTS + 1) reached.push("batch over the limit");
  return reached;
}

/** How many items a batch body holds; 0 for one that is not a batch. */
function countItems(text: string): number {
  try {
    const body: unknown = JSON.parse(text);
    const items = Array.isArray(body) ? body : (body as { messages?: unknown } | null)?.messages;
    return Array.isArray(items) ? items.length : 0;
  } catch {
    return 0; // Not JSON: the fuzzer's garbage.
  }
}

/** Every label `limitsReached` answers. */
export const BATCH_LIMITS = [
  "batch at the limit",
  "batch over the limit",
  "key at the limit",
  "key over the limit",
];
