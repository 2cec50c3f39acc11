import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";

let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon();
});
afterAll(() => daemon.close());

const create = (name: unknown) => daemon.post("/api/jobs/", { name, timeoutSeconds: 60 });

const storedNames = () =>
  (daemon.db.query("SELECT name FROM runs ORDER BY id").all() as { name: string }[]).map(
    (row) => row.name,
  );

async function expectRefused(name: string, error: string): Promise<void> {
  const before = storedNames();
  const response = await create(name);
  expect(response.status).toBe(400);
  expect(await response.json()).toEqual({ status: "error", error, code: "bad_request" });
  expect(storedNames()).toEqual(before);
}

describe("a run name", () => {
  const BLANK = "name must not be only white space";
  const CONTROL = "name must not contain control characters (such as NUL, tab, newline or ESC)";

  test("of white space only (spaces, tabs, newlines, no-break spaces) is refused", async () => {
    for (const name of [" ", "   ", "\t", "\n", " \t\r\n ", "\u00a0\u3000"]) {
      await expectRefused(name, BLANK);
    }
  });

  test("with a control character anywhere is refused: NUL, ESC, tab, newline, DEL, C1", async () => {
    for (const name of [
      "a\u0000b",
      "\u001b[31mred",
      "nightly\tbackup",
      "line\n",
      "x\u007f",
      "\u0085x",
    ]) {
      await expectRefused(name, CONTROL);
    }
  });

  test("with spaces around other characters is stored exactly as sent, never trimmed", async () => {
    const response = await create("  nightly backup ");
    expect(response.status).toBe(200);
    const { id } = (await response.json()) as { id: number };
    const job = (await (await daemon.request(`/api/jobs/${id}`)).json()).job;
    expect(job.name).toBe("  nightly backup ");
  });
});

describe("the 64-character limit counts code points", () => {
  test("64 Cyrillic letters fit, 65 do not", async () => {
    expect((await create("я".repeat(64))).status).toBe(200);
    await expectRefused("я".repeat(65), "name must be at most 64 characters");
  });

  test("64 single emoji fit (128 UTF-16 units, 256 bytes), 65 do not", async () => {
    expect((await create("😀".repeat(64))).status).toBe(200);
    await expectRefused("😀".repeat(65), "name must be at most 64 characters");
  });

  test("a flag is two code points: 32 flags fit, 33 do not", async () => {
    expect((await create("🇫🇷".repeat(32))).status).toBe(200);
    await expectRefused("🇫🇷".repeat(33), "name must be at most 64 characters");
  });
});
