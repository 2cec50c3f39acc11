import { expect, test } from "bun:test";
import { StatusBoxApiError, StatusBoxConnectionError } from "../src/client/errors.ts";
import { describeClientError } from "../src/cli/run/connection.ts";

test("a daemon's error sentence is printed with its control characters escaped", () => {
  // The daemon may quote what a client sent, and a hostile client chooses that text.
  const error = new StatusBoxApiError(
    400,
    "bad_request",
    "name \u001b]52;c;aGk=\u0007 is bad\u202e",
    {},
  );
  expect(describeClientError(error)).toBe("name \\x1b]52;c;aGk=\\x07 is bad\\u202e (HTTP 400)");
});

test("a connection error's message is printed on one safe line", () => {
  const error = new StatusBoxConnectionError("http://x", "cannot reach\nhttp://x\u001b[2J", false);
  const sentence = describeClientError(error) ?? "";
  expect(sentence).not.toContain("\u001b");
  expect(sentence).not.toContain("\n");
});

test("anything else is not a client error", () => {
  expect(describeClientError(new Error("bug"))).toBeNull();
});

test("an error page that is not the daemon's names its status once and asks about the URL", () => {
  const error = new StatusBoxApiError(404, "http_error", "HTTP 404 Not Found", {});
  expect(describeClientError(error)).toBe("HTTP 404 Not Found; is the URL the StatusBox daemon's?");
});

test("a long error sentence from the other end is cut to 300 characters", () => {
  const error = new StatusBoxApiError(400, "bad_request", "x".repeat(5000), {});
  expect(describeClientError(error)).toBe(`${"x".repeat(299)}… (HTTP 400)`);
});
