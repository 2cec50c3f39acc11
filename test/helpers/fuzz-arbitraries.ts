import fc from "fast-check";
import { limitBatch } from "./fuzz-batch-limits.ts";
import type { FuzzRequest, FuzzWorld } from "./fuzz-target.ts";

/**
 * The requests the fuzzer throws: every method on every route of the OpenAPI document and
 * paths that are no route, odd ids, keys good, bad and partial, content types right, wrong
 * and missing, and bodies from nearly valid to garbage, deeply nested, or a few bytes either
 * side of the 1 MiB limit; and batches at the batch endpoint's limits (fuzz-batch-limits.ts).
 */

const LIMIT = 1024 * 1024;
const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND", "PURGE"];
const HEADERS_FETCH_OWNS = new Set(["host", "content-length", "transfer-encoding", "connection"]);

const oddText = fc.oneof(
  fc.string(),
  fc.string({ unit: "binary" }), // lone surrogates included
  fc.string({ unit: "grapheme", maxLength: 80 }),
  fc.constantFrom(
    "",
    " ",
    "\u0000",
    "a\u0000b",
    "\u202eevil\u202c",
    "\u200f\u05e9\u05dc\u05d5\u05dd",
    "\ud800",
    "x\udfff",
    "\ufeff",
    "😀".repeat(64),
    "😀".repeat(65),
    "NaN",
    "Infinity",
    "-0",
    "1e309",
    "null",
    "true",
    "[]",
    "{}",
    "' OR 1=1 --",
    "../../etc/passwd",
    "%00",
    "\r\n",
  ),
  fc.string({ minLength: 63, maxLength: 66 }),
  fc.integer({ min: 0, max: 40_000 }).map((n) => "x".repeat(n)),
);

const oddNumber = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(
    0,
    -0,
    -1,
    0.5,
    1e-300,
    1e308,
    2 ** 53,
    2 ** 53 + 2,
    31_622_400,
    31_622_400.5,
    255,
    256,
    -255,
    Number.MAX_SAFE_INTEGER,
  ),
);

const oddValue: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: oddText, weight: 3 },
  { arbitrary: oddNumber, weight: 3 },
  fc.boolean(),
  fc.constant(null),
  fc.jsonValue({ maxDepth: 3 }),
);

const FIELDS = [
  "name",
  "timeoutSeconds",
  "version",
  "message",
  "exitCode",
  "messages",
  "stream",
  "cron",
  "tz",
  "every",
  "grace",
  "__proto__",
  "constructor",
];

/** A valid body of some route with one field changed, added or removed. */
const nearlyValid = fc
  .tuple(
    fc.constantFrom<Record<string, unknown>>(
      { name: "backup", timeoutSeconds: 60, version: "1.0" },
      { message: "hello" },
      { messages: ["a", { message: "b", stream: "stderr" }] },
      { exitCode: 3, message: "done" },
      { cron: "0 3 * * *", tz: "Europe/Berlin", grace: "15m" },
      { every: "1h" },
    ),
    fc.constantFrom(...FIELDS),
    fc.option(oddValue, { nil: undefined }),
  )
  .map(([body, field, value]) => JSON.stringify({ ...body, [field]: value }));

const rawText = fc.oneof(
  fc.json().chain((json) => fc.nat({ max: json.length }).map((n) => json.slice(0, n))),
  fc.dictionary(fc.constantFrom(...FIELDS), oddValue).map((o) => JSON.stringify(o)),
  fc.string({ unit: "binary" }),
  fc.integer({ min: 1, max: 200_000 }).map((n) => "[".repeat(n) + "]".repeat(n)),
  fc.integer({ min: 1, max: 50_000 }).map((n) => `${'{"message":'.repeat(n)}"x"${"}".repeat(n)}`),
  fc.constantFrom("", " ", "null", "[]", '"text"', "NaN", '{"timeoutSeconds": NaN}', "{,}"),
);

/** A JSON body padded with spaces to the limit, give or take a few bytes. */
const aroundTheLimit = fc
  .tuple(
    fc.integer({ min: -3, max: 3 }),
    fc.constantFrom('{"message":"m"}', '{"name":"n","timeoutSeconds":1}'),
  )
  .map(([delta, json]) => json + " ".repeat(LIMIT + delta - json.length));

const body: fc.Arbitrary<string | Uint8Array | null> = fc.oneof(
  { arbitrary: nearlyValid, weight: 6 },
  { arbitrary: rawText, weight: 4 },
  { arbitrary: fc.uint8Array({ maxLength: 2048 }), weight: 1 },
  { arbitrary: fc.constant(null), weight: 2 },
  { arbitrary: aroundTheLimit, weight: 1 },
);

const idLike = (world: FuzzWorld) =>
  fc.oneof(
    { arbitrary: fc.constantFrom(...world.runIds.map(String)), weight: 12 },
    fc.integer().map(String),
    fc.double().map(String),
    fc.bigInt().map(String),
    fc.string({ unit: "grapheme", maxLength: 70 }).map(encodeURIComponent),
    fc.constantFrom(
      "0",
      "-1",
      "1.5",
      "1e3",
      "%20",
      "%00",
      "..",
      "%2e%2e",
      "abc",
      "%",
      "%ZZ",
      "99999999999999999999",
      "%F0%9F%98%80",
      "%ED%A0%80",
      "%C0%AF",
      "a%2Fb",
      "nightly",
    ),
  );

const query = fc
  .dictionary(
    fc.constantFrom("limit", "before", "after", "status", "name", "x"),
    fc.oneof(oddNumber.map(String), fc.string({ unit: "grapheme", maxLength: 70 })),
    { maxKeys: 3 },
  )
  .map((q) => {
    const pairs = Object.entries(q).map(([k, v]) => `${k}=${encodeURIComponent(v)}`);
    return pairs.length > 0 ? `?${pairs.join("&")}` : "";
  });

/** A route of the daemon, mostly with a method it takes, and its path with an id filled in. */
const target = (world: FuzzWorld) =>
  fc.oneof(
    {
      weight: 9,
      arbitrary: fc.constantFrom(...world.routes).chain((route) =>
        fc.record({
          method: fc.oneof(
            { weight: 3, arbitrary: fc.constantFrom(...route.methods) },
            { weight: 1, arbitrary: fc.constantFrom(...METHODS) },
          ),
          path: idLike(world).map((id) => route.path.replace(/\{[^}]+\}/g, id)),
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        method: fc.constantFrom(...METHODS),
        path: fc.oneof(
          fc.webPath(),
          fc.constantFrom("/", "//api//jobs", "/API/JOBS", "/api/jobs/1/", "/api"),
        ),
      }),
    },
  );

const headerValue = fc
  .array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength: 120 })
  .map((codes) => String.fromCharCode(...codes).trim());

const authorization = (world: FuzzWorld): fc.Arbitrary<string | null> => {
  const { write, read, revoked } = world.keys;
  return fc.oneof(
    { weight: 16, arbitrary: fc.constant(`ApiKey ${write}`) },
    {
      weight: 6,
      arbitrary: fc.constantFrom(
        `Bearer ${write}`,
        `apikey ${write}`,
        `ApiKey ${read}`,
        `ApiKey ${revoked}`,
        null,
        "",
        "ApiKey",
        "ApiKey   ",
        `ApiKey ${write.slice(0, -1)}`,
        `ApiKey ${write} extra`,
        `Basic ${btoa(`user:${write}`)}`,
        `ApiKey\t${write}`,
        "sbx_",
      ),
    },
    { weight: 2, arbitrary: headerValue },
    {
      weight: 1,
      arbitrary: fc.integer({ min: 1000, max: 12_000 }).map((n) => `ApiKey ${"a".repeat(n)}`),
    },
  );
};

const contentType = fc.option(
  fc.constantFrom(
    "application/json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=x",
    "application/json; charset=utf-16",
    "",
    "garbage/!!",
  ),
  { nil: null },
);

const extraHeaders = fc.array(
  fc
    .tuple(fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,20}$/), headerValue)
    .filter(
      ([name]) =>
        !HEADERS_FETCH_OWNS.has(name.toLowerCase()) &&
        name.toLowerCase() !== "authorization" &&
        name.toLowerCase() !== "content-type",
    ),
  { maxLength: 3 },
);

/** The fuzzer's requests against `world`. */
export function fuzzRequest(world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  // One in thirty: each batch at the limit costs a thousand events to store or to check.
  return fc.oneof(
    { weight: 29, arbitrary: anyRequest(world) },
    { weight: 1, arbitrary: limitBatchRequest(world) },
  );
}

/** A batch at the limits, mostly sent as a well-behaved client would, to reach the limits. */
function limitBatchRequest(world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      batch: limitBatch(world),
      authorization: authorization(world),
      contentType: fc.oneof(
        { weight: 4, arbitrary: fc.constant("application/json") },
        { weight: 1, arbitrary: contentType },
      ),
    })
    .map(({ batch, authorization, contentType }) => {
      const headers: [string, string][] = [];
      if (authorization !== null) headers.push(["authorization", authorization]);
      if (contentType !== null) headers.push(["content-type", contentType]);
      if (batch.idempotencyKey !== null) headers.push(["idempotency-key", batch.idempotencyKey]);
      return { method: "POST", path: batch.path, headers, body: batch.body };
    });
}

/** A request of any kind: a route, a method, a query, headers and a body, chosen apart. */
function anyRequest(world: FuzzWorld): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({
      target: target(world),
      suffix: fc.constantFrom("", "", "", "/", "//"),
      query,
      authorization: authorization(world),
      contentType,
      extra: extraHeaders,
      body,
    })
    .map(({ target, suffix, query, authorization, contentType, extra, body }) => {
      const headers: [string, string][] = [...extra];
      if (authorization !== null) headers.push(["authorization", authorization]);
      if (contentType !== null) headers.push(["content-type", contentType]);
      const { method, path } = target;
      // fetch sends no body with GET or HEAD.
      const sent = method === "GET" || method === "HEAD" ? null : body;
      return { method, path: path + suffix + query, headers, body: sent };
    });
}
