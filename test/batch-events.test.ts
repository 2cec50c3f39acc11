import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { createRun, startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon();
});
afterAll(() => daemon.close());

interface EventJson {
  id: number;
  kind: string;
  message: string;
  stream: string | null;
  truncated: boolean;
  at: string;
}

async function logEvents(id: number): Promise<EventJson[]> {
  const all: EventJson[] = [];
  for (;;) {
    const after = all.at(-1)?.id ?? 0;
    const response = await daemon.request(`/api/jobs/${id}/events?after=${after}&limit=1000`);
    const page = ((await response.json()) as { events: EventJson[] }).events;
    all.push(...page);
    if (page.length < 1000) return all.filter((e) => e.kind === "log");
  }
}

async function errorOf(response: Response): Promise<{ status: number; error: string }> {
  const body = (await response.json()) as { error: string };
  return { status: response.status, error: body.error };
}

describe("POST /api/jobs/:id/events", () => {
  test("stores strings and {message, stream} items in order and answers how many", async () => {
    const id = await createRun(daemon);
    const response = await daemon.post(`/api/jobs/${id}/events`, {
      messages: [
        "first",
        { message: "second", stream: "stderr" },
        { message: "third", stream: "stdout" },
      ],
    });

    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok", stored: 3 });
    const events = await logEvents(id);
    expect(events.map((e) => [e.message, e.stream])).toEqual([
      ["first", null],
      ["second", "stderr"],
      ["third", "stdout"],
    ]);
  });

  test("accepts a bare JSON array under both prefixes", async () => {
    const id = await createRun(daemon);
    expect((await daemon.post(`/api/jobs/${id}/events`, ["a", { message: "b" }])).status).toBe(200);
    expect((await daemon.post(`/jobs/${id}/events/`, ["c"])).status).toBe(200);
    expect((await logEvents(id)).map((e) => e.message)).toEqual(["a", "b", "c"]);
  });

  test("takes 1000 items and refuses 1001 without storing any", async () => {
    const id = await createRun(daemon);
    const thousand = Array.from({ length: 1000 }, (_, i) => `line ${i}`);
    expect((await daemon.post(`/api/jobs/${id}/events`, thousand)).status).toBe(200);

    const tooMany = await daemon.post(`/api/jobs/${id}/events`, [...thousand, "one more"]);
    expect(await errorOf(tooMany)).toEqual({
      status: 400,
      error: "messages must hold at most 1000 messages",
    });
    expect((await logEvents(id)).length).toBe(1000);
  });

  test("names the index of a bad item and stores nothing of the batch", async () => {
    const id = await createRun(daemon);
    const cases: [unknown, string][] = [
      [["ok", ""], "messages[1]: message must not be empty"],
      [["ok", "ok", 7], "messages[2] must be a string or an object with a message"],
      [[{ message: "x", stream: "stdin" }], "messages[0]: stream must be stdout or stderr"],
      [[{ text: "x" }], "messages[0]: message is required"],
      [{ messages: ["a", { message: 5 }] }, "messages[1]: message must be a string"],
      [{ messages: "a" }, "messages must be an array"],
      [{ message: "a" }, "messages is required"],
      [[], "messages must hold at least one message"],
      ["{not json", "the body is not valid JSON"],
      [42, 'the body must be {"messages": [...]} or a JSON array'],
    ];
    for (const [body, error] of cases) {
      const sent = typeof body === "string" ? body : JSON.stringify(body);
      expect(await errorOf(await daemon.post(`/api/jobs/${id}/events`, sent))).toEqual({
        status: 400,
        error,
      });
    }
    expect((await daemon.post(`/api/jobs/${id}/events`, "")).status).toBe(400);
    expect(await logEvents(id)).toEqual([]);
  });

  test("answers 404 for an unknown run and 413 for a body over 1 MiB", async () => {
    expect((await daemon.post("/api/jobs/999999/events", ["x"])).status).toBe(404);
    expect((await daemon.post("/api/jobs/abc/events", ["x"])).status).toBe(404);

    const id = await createRun(daemon);
    const big = Array.from({ length: 100 }, () => "x".repeat(12_000));
    expect((await daemon.post(`/api/jobs/${id}/events`, big)).status).toBe(413);
  });

  test("stores a message over 16 KiB cut and marked truncated, like the single route", async () => {
    const id = await createRun(daemon);
    await daemon.post(`/api/jobs/${id}/events`, ["y".repeat(20_000)]);
    const [event] = await logEvents(id);
    expect(event!.truncated).toBe(true);
    expect(event!.message.length).toBe(16 * 1024);
  });

  test("stores each batch in one write: concurrent batches never interleave", async () => {
    const id = await createRun(daemon);
    const batches = Array.from({ length: 6 }, (_, b) =>
      Array.from({ length: 150 }, (_, i) => `batch ${b} line ${i}`),
    );
    const singles = Array.from({ length: 20 }, (_, i) =>
      daemon.post(`/jobs/${id}`, { message: `single ${i}` }),
    );
    await Promise.all([
      ...batches.map((batch) => daemon.post(`/api/jobs/${id}/events`, batch)),
      ...singles,
    ]);

    const events = await logEvents(id);
    expect(events.length).toBe(6 * 150 + 20);
    for (let b = 0; b < batches.length; b++) {
      const mine = events.filter((e) => e.message.startsWith(`batch ${b} `));
      expect(mine.map((e) => e.message)).toEqual(batches[b]!);
      expect(mine.at(-1)!.id - mine[0]!.id).toBe(149);
      expect(new Set(mine.map((e) => e.at)).size).toBe(1);
    }
  });

  test("a batch repeated with the same Idempotency-Key is stored once", async () => {
    const id = await createRun(daemon);
    const other = await createRun(daemon);
    const send = (runId: number, key: string) =>
      daemon.request(`/api/jobs/${runId}/events`, {
        method: "POST",
        headers: { "idempotency-key": key },
        body: JSON.stringify(["a", "b"]),
      });

    const answers = await Promise.all([send(id, "k1"), send(id, "k1"), send(id, "k1")]);
    const again = await send(id, "k1");
    await send(id, "k2");
    await send(other, "k1");

    for (const answer of [...answers, again]) {
      expect(await answer.json()).toEqual({ status: "ok", stored: 2 });
    }
    expect((await logEvents(id)).map((e) => e.message)).toEqual(["a", "b", "a", "b"]);
    expect((await logEvents(other)).length).toBe(2);
    const tooLong = await send(id, "k".repeat(201));
    expect(await errorOf(tooLong)).toEqual({
      status: 400,
      error: "Idempotency-Key must be at most 200 characters",
    });
  });

  test("a batch retried after a restart of the daemon is still stored once", async () => {
    const first = await startTestDaemon();
    const dbPath = first.dbPath;
    const id = await createRun(first);
    const send = (target: TestDaemon) =>
      target.request(`/api/jobs/${id}/events`, {
        method: "POST",
        headers: { "idempotency-key": "batch-7" },
        body: JSON.stringify({ messages: ["x", "y", "z"] }),
      });
    expect(await (await send(first)).json()).toEqual({ status: "ok", stored: 3 });
    await first.stop();

    const second = await startTestDaemon({ dbPath });
    try {
      const retried = await second.request(`/api/jobs/${id}/events`, {
        method: "POST",
        headers: { "idempotency-key": "batch-7" },
        body: JSON.stringify({ messages: ["x", "y", "z"] }),
      });
      expect(await retried.json()).toEqual({ status: "ok", stored: 3 });
      const events = await (await second.request(`/api/jobs/${id}/events`)).json();
      const logs = events.events.filter((e: { kind: string }) => e.kind === "log");
      expect(logs.map((e: { message: string }) => e.message)).toEqual(["x", "y", "z"]);
    } finally {
      await second.stop();
      rmSync(first.dir, { recursive: true, force: true });
    }
  });

  test("logs on a finished run are still stored, and a read-only key is refused", async () => {
    const id = await createRun(daemon);
    await daemon.post(`/jobs/${id}/complete`);
    expect((await daemon.post(`/api/jobs/${id}/events`, ["late line"])).status).toBe(200);
    expect((await logEvents(id)).map((e) => e.message)).toEqual(["late line"]);

    const readOnly = daemon.keys.create("reader", "read").secret;
    const refused = await daemon.post(`/api/jobs/${id}/events`, ["x"], readOnly);
    expect(refused.status).toBe(403);
  });
});
