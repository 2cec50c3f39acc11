/**
 * The ceiling: a bare Bun + Hono server that reads and parses the same small JSON bodies as
 * the daemon's write routes and answers 200 without storing anything. What it serves on this
 * machine, under the same load, is the most any server built this way could serve; the
 * daemon's figures are read as ratios to it.
 *
 * Run as `bun bench/ceiling-server.ts --port PORT`.
 */
import { Hono } from "hono";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { port: { type: "string" } },
});
const port = Number(values.port ?? 0);

const app = new Hono({ strict: false });
let nextId = 1;

app.get("/healthz", (c) => c.json({ status: "ok" }));

// Same answers as the daemon: an id for a create, an empty 200 for an event.
app.post("/api/jobs", async (c) => {
  await parseObject(c.req.text());
  return c.json({ status: "ok", id: nextId++ });
});

app.post("/jobs/:id", async (c) => {
  await parseObject(c.req.text());
  return c.body(null, 200);
});

async function parseObject(text: Promise<string>): Promise<unknown> {
  const body: unknown = JSON.parse(await text);
  if (typeof body !== "object" || body === null) throw new Error("the body must be an object");
  return body;
}

const server = Bun.serve({ hostname: "127.0.0.1", port, fetch: app.fetch });
console.log(`ceiling server on http://127.0.0.1:${server.port}`);

process.on("SIGTERM", () => {
  void server.stop(true);
  process.exit(0);
});
