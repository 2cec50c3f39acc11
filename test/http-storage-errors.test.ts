import { describe, expect, test } from "bun:test";
import { Hono } from "hono";
import { handleError } from "../src/http/errors.ts";
import { createLogger } from "../src/log/logger.ts";

/** An error as bun:sqlite throws it: an Error with SQLite's (extended) code. */
function sqliteError(code: string): Error {
  return Object.assign(new Error(`${code}: simulated`), { code });
}

function appThrowing(error: Error) {
  const lines: string[] = [];
  const app = new Hono();
  app.onError(handleError(createLogger({ write: (line) => lines.push(line), level: "debug" })));
  app.get("/read", () => {
    throw error;
  });
  return { app, lines };
}

describe("a storage failure outside the write queue", () => {
  for (const code of ["SQLITE_BUSY", "SQLITE_BUSY_SNAPSHOT", "SQLITE_IOERR_READ", "SQLITE_FULL"]) {
    test(`${code} on a read is a 503 to retry, not a 500`, async () => {
      const { app, lines } = appThrowing(sqliteError(code));
      const response = await app.request("/read");
      expect(response.status).toBe(503);
      expect(response.headers.get("retry-after")).toBe("1");
      const body = await response.json();
      expect(body).toMatchObject({ status: "error", code: "unavailable" });
      // A lock held by another process is a warning; a full disk or an I/O error an error.
      const level = code.startsWith("SQLITE_BUSY") ? "WARN " : "ERROR";
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain(`${level} storage failure: request refused with 503`);
    });
  }

  test("any other error is still a 500, logged once with its stack", async () => {
    const { app, lines } = appThrowing(sqliteError("SQLITE_CONSTRAINT_UNIQUE"));
    const response = await app.request("/read");
    expect(response.status).toBe(500);
    expect(lines.filter((line) => line.includes("unexpected error"))).toHaveLength(1);
  });
});
