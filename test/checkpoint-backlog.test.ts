import { describe, expect, test } from "bun:test";
import { CheckpointBacklog } from "../src/storage/checkpoint-backlog.ts";

describe("the checkpoint backlog", () => {
  test("is large while a reader holds the copy still and the log runs ahead", () => {
    const backlog = new CheckpointBacklog(1000, 100);
    expect(backlog.observe({ log: 500, checkpointed: 400 })).toBeNull();
    // The copy stands at 400 while the log grows: under the threshold, nothing yet.
    expect(backlog.observe({ log: 1200, checkpointed: 400 })).toBeNull();
    expect(backlog.observe({ log: 1500, checkpointed: 400 })).toBe(true);
    expect(backlog.observe({ log: 9000, checkpointed: 400 })).toBeNull();
  });

  test("is over once the thread has copied all but a little, not before", () => {
    const backlog = new CheckpointBacklog(1000, 100);
    backlog.observe({ log: 500, checkpointed: 400 });
    expect(backlog.observe({ log: 9000, checkpointed: 400 })).toBe(true);
    // The reader let go: the copy moves, and stays large while much is left.
    expect(backlog.observe({ log: 9500, checkpointed: 8000 })).toBeNull();
    expect(backlog.observe({ log: 9600, checkpointed: 9550 })).toBe(false);
    expect(backlog.observe({ log: 9800, checkpointed: 9600 })).toBeNull();
  });

  test("is over when a rewound log is small", () => {
    const backlog = new CheckpointBacklog(1000, 100);
    backlog.observe({ log: 500, checkpointed: 400 });
    expect(backlog.observe({ log: 9000, checkpointed: 400 })).toBe(true);
    expect(backlog.observe({ log: 30, checkpointed: 0 })).toBe(false);
  });

  test("is never large while the copy moves, however far behind (the writes must wait then)", () => {
    const backlog = new CheckpointBacklog(1000, 100);
    backlog.observe({ log: 0, checkpointed: 0 });
    let large: boolean | null = null;
    for (let step = 1; step <= 50; step++) {
      large ??= backlog.observe({ log: step * 1000, checkpointed: step * 500 });
    }
    expect(large).toBeNull();
  });

  test("is over when the copy moves yet falls further behind", () => {
    const backlog = new CheckpointBacklog(1000, 100);
    backlog.observe({ log: 500, checkpointed: 400 });
    expect(backlog.observe({ log: 9000, checkpointed: 400 })).toBe(true);
    expect(backlog.observe({ log: 12_000, checkpointed: 2000 })).toBe(false);
  });

  test("takes new thresholds from the next answer on, keeping what it knows", () => {
    const backlog = new CheckpointBacklog(1000, 100);
    backlog.observe({ log: 500, checkpointed: 400 });
    expect(backlog.observe({ log: 800, checkpointed: 400 })).toBeNull();
    backlog.retune(250, 30);
    expect(backlog.observe({ log: 900, checkpointed: 400 })).toBe(true);
    expect(backlog.observe({ log: 900, checkpointed: 860 })).toBeNull();
    expect(backlog.observe({ log: 900, checkpointed: 880 })).toBe(false);
  });
});
