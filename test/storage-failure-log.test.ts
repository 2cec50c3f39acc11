import { expect, test } from "bun:test";
import { StorageFailureLog } from "../src/http/storage-failure-log.ts";
import type { LogFields, Logger } from "../src/log/logger.ts";

test("storage failures are logged at once, then once per 10 s with the count left out", () => {
  const lines: { message: string; fields?: LogFields }[] = [];
  const record = (message: string, fields?: LogFields) => lines.push({ message, fields });
  const logger: Logger = { debug: record, info: record, warn: record, error: record };
  let now = 1_000_000;
  const log = new StorageFailureLog(logger, () => now);

  log.record("/api/jobs", "SQLiteError: database or disk is full");
  for (let i = 0; i < 5; i++) {
    now += 1000;
    log.record("/jobs/1", "SQLiteError: database or disk is full");
  }
  expect(lines).toHaveLength(1);
  expect(lines[0]!.fields).toEqual({
    path: "/api/jobs",
    error: "SQLiteError: database or disk is full",
  });

  now += 5000; // 10 s after the first line
  log.record("/jobs/2", "SQLiteError: disk I/O error");
  expect(lines).toHaveLength(2);
  expect(lines[1]!.fields).toEqual({
    path: "/jobs/2",
    error: "SQLiteError: disk I/O error",
    alsoRefusedSinceLastLine: 5,
  });
});
