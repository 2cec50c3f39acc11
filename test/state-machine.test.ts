import { describe, expect, test } from "bun:test";
import { decideEndSignal } from "../src/domain/state-machine.ts";

describe("end signals on a run", () => {
  test("a running run takes the state of the signal", () => {
    expect(decideEndSignal("running", "complete")).toEqual({ kind: "finish", status: "completed" });
    expect(decideEndSignal("running", "fail")).toEqual({ kind: "finish", status: "failed" });
    expect(decideEndSignal("running", "cancel")).toEqual({ kind: "finish", status: "cancelled" });
  });

  test("the same signal again is a harmless repeat", () => {
    expect(decideEndSignal("completed", "complete")).toEqual({ kind: "repeat" });
    expect(decideEndSignal("failed", "fail")).toEqual({ kind: "repeat" });
    expect(decideEndSignal("cancelled", "cancel")).toEqual({ kind: "repeat" });
  });

  test("a different signal on a finished run is refused", () => {
    expect(decideEndSignal("completed", "fail")).toEqual({
      kind: "reject",
      current: "completed",
      recordLateEnd: false,
    });
    expect(decideEndSignal("cancelled", "complete").kind).toBe("reject");
  });

  test("complete or fail after a timeout is refused but records the real end", () => {
    expect(decideEndSignal("timed_out", "complete")).toEqual({
      kind: "reject",
      current: "timed_out",
      recordLateEnd: true,
    });
    expect(decideEndSignal("timed_out", "fail")).toMatchObject({ recordLateEnd: true });
    expect(decideEndSignal("timed_out", "cancel")).toMatchObject({ recordLateEnd: false });
  });
});
