import type { Run } from "../domain/run.ts";
import { buildPayload, type AlertPayload } from "./payload.ts";

/**
 * The alert `statusbox alerts test` sends: a made-up failed run named `statusbox-test`
 * (id 0) with one event, marked `test: true`, so receivers can tell it from a real one.
 */
export function testPayload(channel: string, now: number): AlertPayload {
  const run: Run = {
    id: 0,
    name: "statusbox-test",
    version: null,
    status: "failed",
    timeoutSeconds: 60,
    createdAt: now - 1500,
    deadlineAt: now + 58_500,
    finishedAt: now,
    lateEndAt: null,
    exitCode: 1,
    endMessage: "a test alert from statusbox alerts test",
    eventCount: 1,
    eventsDropped: 0,
  };
  const event = { id: 0, runId: 0, at: now, kind: "log" as const, truncated: false, stream: null };
  return buildPayload({
    trigger: "test",
    channel,
    run,
    events: [{ ...event, message: "if you can read this, the channel works" }],
    idempotencyKey: crypto.randomUUID(),
    createdAt: now,
    heldBack: 0,
    failuresInARow: 0,
    test: true,
  });
}
