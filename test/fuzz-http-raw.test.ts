import { afterAll, beforeAll, expect, test } from "bun:test";
import fc from "fast-check";
import { startTestDaemon, type TestDaemon } from "./helpers/daemon.ts";
import { describeBadAnswer } from "./helpers/error-shape.ts";
import { httpRequest, parseResponse, RawConnection } from "./helpers/raw-http.ts";

// Malformed HTTP itself, below what fetch can send: Bun's parser meets it before the API.
let daemon: TestDaemon;
beforeAll(async () => {
  daemon = await startTestDaemon();
});
afterAll(() => daemon.close());

/**
 * What Bun's HTTP parser answers itself, bare, before a request reaches the API. (It answers
 * some mangled request lines "505 HTTP Version Not Supported": its status, not ours.)
 */
const PARSER_REFUSALS = new Set([400, 413, 414, 431, 505]);

/** Valid requests of several kinds, as raw text, to be cut and mangled. */
function seeds(key: string): string[] {
  const auth = { Authorization: `ApiKey ${key}` };
  const create = JSON.stringify({ name: "raw", timeoutSeconds: 60 });
  return [
    httpRequest("POST", "/api/jobs/", auth, create),
    httpRequest("GET", "/api/jobs?limit=2", auth),
    httpRequest("POST", "/jobs/1", auth, '{"message":"m"}'),
    `POST /api/jobs/ HTTP/1.1\r\nHost: x\r\nAuthorization: ApiKey ${key}\r\n` +
      `Transfer-Encoding: chunked\r\n\r\n${create.length.toString(16)}\r\n${create}\r\n0\r\n\r\n`,
  ];
}

const ODD_LINES = [
  "Content-Length: -1",
  "Content-Length: 99999999999999999999",
  "Content-Length: 1, 2",
  "Content-Length: abc",
  "Transfer-Encoding: chunked",
  "Transfer-Encoding: gzip, chunked",
  "NoColonHere",
  ": empty-name",
  "X-Nul: a\u0000b",
  "X-Long: " + "v".repeat(20_000),
  "Host:",
  "Authorization: ApiKey",
  "Expect: 100-continue",
  "Connection: upgrade",
];

const mangled = (key: string) =>
  fc.oneof(
    fc
      .tuple(fc.constantFrom(...seeds(key)), fc.nat(), fc.uint8Array({ maxLength: 8 }))
      .map(([text, at, bytes]) => {
        const cut = at % (text.length + 1);
        return text.slice(0, cut) + Buffer.from(bytes).toString("latin1") + text.slice(cut + 1);
      }),
    fc
      .tuple(fc.constantFrom(...seeds(key)), fc.constantFrom(...ODD_LINES))
      .map(([text, line]) => text.replace("\r\n", `\r\n${line}\r\n`)),
    fc.constantFrom(
      "GET / HTTP/0.9\r\n\r\n",
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
      "GET /\r\n\r\n",
      "GET  /api/jobs  HTTP/1.1\r\n\r\n",
      "FOO /api/jobs HTTP/1.1\r\nHost: x\r\n\r\n",
      "get /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
      `GET /${"a".repeat(70_000)} HTTP/1.1\r\n\r\n`,
      "\r\n\r\n\r\n",
      "\u0000\u0001\u0002",
      "GET /healthz HTTP/1.1\nHost: x\n\n",
    ),
    fc.uint8Array({ minLength: 1, maxLength: 512 }).map((b) => Buffer.from(b).toString("latin1")),
  );

const stored = () =>
  JSON.stringify(
    daemon.db
      .query("SELECT count(*), max(id) FROM runs UNION ALL SELECT count(*), max(id) FROM events")
      .all(),
  );

/** Sends raw bytes; answers why the answer broke a promise, or null. */
async function sendRaw(text: string): Promise<string | null> {
  const before = stored();
  const connection = await RawConnection.open(daemon.url);
  connection.write(Buffer.from(text, "latin1"));
  // A cut request would rightly wait for its end: say there is none coming.
  connection.finish();
  const answer = await connection.response(5000);
  const closed = connection.closed || (await connection.waitClosed(100));
  connection.destroy();
  if (!answer) return closed ? null : "neither an answer nor a closed connection in 5 s";
  const bare = PARSER_REFUSALS.has(answer.status) && answer.body === "" && closed;
  if (bare) return null;
  if (answer.status >= 500) return `answered ${answer.status}`;
  if (answer.status >= 400 && stored() !== before) return `answered ${answer.status}, stored`;
  return describeBadAnswer(answer.status, new Headers(answer.headers), answer.body);
}

test("mangled HTTP: JSON error, bare parser refusal or hang-up; serving goes on", async () => {
  let cases = 0;
  await fc.assert(
    fc.asyncProperty(mangled(daemon.key), async (text) => {
      cases++;
      const problem = await sendRaw(text);
      if (problem) throw new Error(`${problem}\n  sent: ${JSON.stringify(text.slice(0, 300))}`);
    }),
    { numRuns: 3000, interruptAfterTimeLimit: 30_000, markInterruptAsFailure: false },
  );
  console.log(`fuzz: ${cases} mangled raw requests`);
  expect(cases).toBeGreaterThanOrEqual(1000);
  expect((await fetch(`${daemon.url}/healthz`)).status).toBe(200);
}, 60_000);

test("the raw check tells a bare parser refusal from a bare error of the API", () => {
  const bare = parseResponse(
    Buffer.from("HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\n\r\n"),
  );
  expect(bare).toEqual({ status: 431, headers: { connection: "close" }, body: "" });
  expect(describeBadAnswer(404, new Headers(), "")).toContain("without a JSON content type");
});
