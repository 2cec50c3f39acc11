import { describe, expect, test } from "bun:test";
import { Writable } from "node:stream";
import { copyOutputs } from "../src/cli/run/pipes.ts";
import { TerminalWriter } from "../src/cli/run/terminal-writer.ts";

/** A stream that yields `chunks` one by one, then ends. */
function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    pull(controller) {
      const next = chunks.shift();
      if (next === undefined) controller.close();
      else controller.enqueue(encoder.encode(next));
    },
  });
}

/** A destination that records what it got in `into`; `slow` holds each write until `go()`. */
function destination(name: string, into: string[], slow = false) {
  const held: (() => void)[] = [];
  const sink = new Writable({
    highWaterMark: 1,
    write(chunk: Buffer, _encoding, done) {
      into.push(`${name} ${chunk.toString()}`);
      if (slow) held.push(() => done());
      else done();
    },
  });
  return { sink, go: () => held.splice(0).forEach((release) => release()) };
}

describe("copyOutputs", () => {
  test("a chunk reaches the terminal before its lines are handed to the shipper", async () => {
    const seen: string[] = [];
    const { sink } = destination("terminal", seen);
    const onLine = (_stream: string, line: string) => seen.push(`line ${line}`);
    const source = { stream: "stdout" as const, readable: streamOf(["a\nb\n", "c\n"]), sink };

    await copyOutputs([source], onLine, new Promise(() => {}));

    expect(seen).toEqual(["terminal a\nb\n", "line a", "line b", "terminal c\n", "line c"]);
  });

  test("a destination that fails: its stream is no longer read, its pipe let go", async () => {
    const released: string[] = [];
    const sink = new Writable({ write: (_chunk, _encoding, done) => done(new Error("EPIPE")) });
    const endless = new ReadableStream<Uint8Array>({
      pull: (controller) => controller.enqueue(new TextEncoder().encode("y\n")),
    });
    const source = { stream: "stdout" as const, readable: endless, sink };

    await copyOutputs(
      [{ ...source, release: () => released.push("stdout") }],
      () => {},
      new Promise(() => {}),
    );

    expect(released).toEqual(["stdout"]);
  });
});

describe("TerminalWriter", () => {
  test("stderr's chunk does not overtake stdout's, held up by a slow terminal", async () => {
    const file: string[] = [];
    const stdout = destination("stdout", file, true);
    const stderr = destination("stderr", file);
    const writer = new TerminalWriter();

    const held = writer.write(stdout.sink, Buffer.from("o1"));
    expect(held).not.toBeNull();
    writer.write(stdout.sink, Buffer.from("o2"));
    const queued = writer.write(stderr.sink, Buffer.from("e1"));
    expect(file).toEqual(["stdout o1"]);

    stdout.go();
    await Bun.sleep(0);
    stdout.go();
    await queued;
    expect(file).toEqual(["stdout o1", "stdout o2", "stderr e1"]);
  });

  test("writes at once, answering null, while no destination is full", () => {
    const file: string[] = [];
    const writer = new TerminalWriter();
    const out = destination("stdout", file).sink;
    const err = destination("stderr", file).sink;
    expect(writer.write(out, Buffer.from("a"))).toBeNull();
    expect(writer.write(err, Buffer.from("b"))).toBeNull();
    expect(file).toEqual(["stdout a", "stderr b"]);
  });
});
