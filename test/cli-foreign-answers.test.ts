import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { runStatusbox } from "./helpers/binary.ts";
import { startReceiver, type HttpReceiver } from "./helpers/http-receiver.ts";

// Each test starts real processes (bun loading the CLI), which is slow on a busy machine.
setDefaultTimeout(30_000);

// Something other than the daemon answers 200 at its URL (a proxy's page, another server).
let server: HttpReceiver;
beforeAll(() => {
  server = startReceiver();
});
afterAll(() => server.stop());

const statusbox = (args: string[]) =>
  runStatusbox(args, { env: { STATUSBOX_URL: server.url, STATUSBOX_API_KEY: "k" } });

const COMMANDS: string[][] = [
  ["job", "start", "--name", "x", "--timeout", "60"],
  ["job", "show", "1"],
  ["job", "show", "1", "--json"],
  ["schedules", "list"],
  ["schedules", "set", "x", "--every", "1h"],
];

const ANSWERS: Record<string, string> = {
  "an HTML page": "<html>Welcome to nginx!</html>",
  "an empty body": "",
  'only {"status":"ok"}': '{"status":"ok"}',
  "fields of the wrong type": '{"status":"ok","id":0,"job":[],"events":{},"schedules":"x"}',
};

describe("client commands when something else answers 200 at the daemon's URL", () => {
  for (const [what, body] of Object.entries(ANSWERS)) {
    test(`${what}: each command exits 1 with one line that asks about the URL`, async () => {
      server.answer(() => ({ status: 200, body }));
      for (const args of COMMANDS) {
        const result = await statusbox(args);
        const line = new RegExp(
          `^statusbox ${args[0]} ${args[1]}: HTTP 200 OK, but the answer is not StatusBox's ` +
            `JSON( \\(no valid [a-z]+\\))?; is the URL the StatusBox daemon's\\?\\n$`,
        );
        expect({ args, ...result }).toEqual({
          args,
          code: 1,
          stdout: "",
          stderr: expect.stringMatching(line),
        });
      }
    });
  }
});
