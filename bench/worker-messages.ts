/**
 * `bun bench/worker-messages.ts [--round-trips N]`: what it costs to hand a batch of writes to
 * another thread and hear back, the price of moving SQLite off the event loop (see the
 * README's Performance section). A batch is 20 log events of 50 characters, as a group
 * commit holds under the benchmark's load; it is sent as objects (structured clone) and as
 * one JSON string, and each round trip waits for the answer before the next is sent.
 * Prints figures; asserts nothing.
 */
const roundTripsArg = process.argv.indexOf("--round-trips");
const ROUND_TRIPS = roundTripsArg > 0 ? Number(process.argv[roundTripsArg + 1]) : 20_000;

const batch = Array.from({ length: 20 }, (_, i) => ({
  kind: "log",
  runId: i + 1,
  message: `step ${String(i).padStart(6, "0")} done: 4096 rows copied, checksum ok.  `,
}));
const worker = new Worker(new URL("./lib/echo-worker.ts", import.meta.url).href);

for (const [label, payload] of [
  ["objects (structured clone)", () => batch],
  ["one JSON string", () => JSON.stringify(batch)],
] as const) {
  const { wallUs, cpuUs } = await measure(payload);
  console.log(
    `${label}: ${wallUs.toFixed(1)} µs a round trip, ${cpuUs.toFixed(1)} µs of CPU (both threads)`,
  );
}
worker.terminate();

/** Sends ROUND_TRIPS batches one after the other; answers µs per round trip. */
async function measure(payload: () => unknown): Promise<{ wallUs: number; cpuUs: number }> {
  const started = performance.now();
  const cpu = process.cpuUsage();
  let answered = 0;
  await new Promise<void>((resolve) => {
    worker.onmessage = () => {
      if (++answered === ROUND_TRIPS) resolve();
      else worker.postMessage(payload());
    };
    worker.postMessage(payload());
  });
  const used = process.cpuUsage(cpu);
  return {
    wallUs: ((performance.now() - started) * 1000) / ROUND_TRIPS,
    cpuUs: (used.user + used.system) / ROUND_TRIPS,
  };
}
