import { describe, expect, test } from "bun:test";
import { outcomeOf } from "../src/cli/run/outcome.ts";

describe("the end of a wrapped command", () => {
  test("exit code 0 completes the run", () => {
    expect(outcomeOf({ exitCode: 0, signal: null, forwarded: null })).toEqual({
      signal: "complete",
      details: { exitCode: 0 },
      exitCode: 0,
    });
  });

  test("any other exit code fails it with that code, which the wrapper exits with", () => {
    expect(outcomeOf({ exitCode: 3, signal: null, forwarded: null })).toEqual({
      signal: "fail",
      details: { exitCode: 3 },
      exitCode: 3,
    });
  });

  test("a signal fails it with the signal named and exit code 128+N", () => {
    expect(outcomeOf({ exitCode: null, signal: "SIGKILL", forwarded: null })).toEqual({
      signal: "fail",
      details: { message: "killed by SIGKILL", exitCode: 137 },
      exitCode: 137,
    });
  });

  test("a signal sent to the wrapper cancels it, however the command ended", () => {
    expect(outcomeOf({ exitCode: null, signal: "SIGTERM", forwarded: "SIGTERM" })).toEqual({
      signal: "cancel",
      details: {
        message: "cancelled by SIGTERM sent to statusbox run; the command was killed by SIGTERM",
        exitCode: 143,
      },
      exitCode: 143,
    });
    const cleanExit = outcomeOf({ exitCode: 0, signal: null, forwarded: "SIGINT" });
    expect(cleanExit.signal).toBe("cancel");
    expect(cleanExit.exitCode).toBe(0);
    expect(cleanExit.details.message).toBe(
      "cancelled by SIGINT sent to statusbox run; the command exited with code 0",
    );
  });
});
