import { describe, expect, test } from "bun:test";
import { alertKit } from "./helpers/alerts-kit.ts";
import { startReceiver } from "./helpers/http-receiver.ts";

/** Ends a run of `name` as failed after logging `lines`, and delivers the alert. */
async function failWithLog(kit: ReturnType<typeof alertKit>, name: string, lines: string[]) {
  const run = await kit.runs.create({ name, timeoutSeconds: 60 });
  if (lines.length > 0)
    await kit.runs.log(
      run.id,
      lines.map((message) => ({ message })),
    );
  kit.clock.advance(4000);
  await kit.runs.end(run.id, "fail", { exitCode: 1 });
  await kit.dispatcher.step();
}

describe("slack channel", () => {
  test("posts Slack's webhook JSON: the summary in bold, the last events in a block", async () => {
    const receiver = startReceiver();
    const kit = alertKit([{ name: "chat", type: "slack", url: `${receiver.url}/services/T/B/x` }]);
    try {
      const lines = Array.from({ length: 8 }, (_, i) => `step ${i + 1}`);
      await failWithLog(kit, "backup-db", lines);

      const [request] = receiver.requests;
      expect(request!.path).toBe("/services/T/B/x");
      expect(request!.headers["content-type"]).toBe("application/json");
      const { text } = JSON.parse(request!.body);
      const [head, ...rest] = text.split("\n");
      expect(head).toBe(":x: *backup-db #1 failed after 4s (exit code 1)*");
      expect(rest[0]).toBe("```");
      expect(rest.at(-1)).toBe("```");
      const shown = rest.slice(1, -1);
      expect(shown.length).toBe(5);
      expect(shown[0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3} step 5$/);
      expect(shown.at(-1)).toMatch(/failed: exit code 1$/);
      expect(kit.attempts()[0]!.outcome).toBe("delivered");
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("escapes &, < and > so a log line cannot become a link or a mention", async () => {
    const receiver = startReceiver();
    const kit = alertKit([{ name: "chat", type: "slack", url: receiver.url }]);
    try {
      await failWithLog(kit, "a&b", ["<!channel> see <http://evil|here>"]);
      const { text } = JSON.parse(receiver.requests[0]!.body);
      expect(text).toContain("*a&amp;b #1 failed");
      expect(text).toContain("&lt;!channel&gt; see &lt;http://evil|here&gt;");
      expect(text).not.toContain("<!channel>");
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });
});

describe("discord channel", () => {
  test("posts Discord's webhook JSON with mentions disabled", async () => {
    const receiver = startReceiver();
    receiver.answer(() => ({ status: 204 }));
    const kit = alertKit([
      { name: "dc", type: "discord", url: `${receiver.url}/api/webhooks/1/x` },
    ]);
    try {
      await failWithLog(kit, "backup-db", ["@everyone disk almost full"]);
      const body = JSON.parse(receiver.requests[0]!.body);
      expect(body.username).toBe("StatusBox");
      expect(body.allowed_mentions).toEqual({ parse: [] });
      const [head, ...rest] = body.content.split("\n");
      expect(head).toBe(":x: **backup-db #1 failed after 4s (exit code 1)**");
      expect(rest.join("\n")).toContain("@everyone disk almost full");
      expect(kit.attempts()[0]).toMatchObject({ outcome: "delivered", status_code: 204 });
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("keeps a message within Discord's 2000 characters", async () => {
    const receiver = startReceiver();
    const kit = alertKit([{ name: "dc", type: "discord", url: receiver.url }]);
    try {
      await failWithLog(
        kit,
        "noisy",
        Array.from({ length: 10 }, () => "x".repeat(900)),
      );
      const { content } = JSON.parse(receiver.requests[0]!.body);
      expect(content.length).toBeLessThanOrEqual(2000);
      expect(content).toStartWith(":x: **noisy #1 failed");
      expect(content).toEndWith("```");
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });
});

describe("ntfy channel", () => {
  test("publishes plain text to the topic URL with title, priority and tags", async () => {
    const receiver = startReceiver();
    const kit = alertKit([
      { name: "push", type: "ntfy", url: `${receiver.url}/ops-alerts`, token: "tk_abc" },
    ]);
    try {
      await failWithLog(kit, "backup-db", ["dumping"]);
      const [request] = receiver.requests;
      expect(request!.path).toBe("/ops-alerts");
      expect(request!.headers).toMatchObject({
        title: "StatusBox: backup-db failed",
        priority: "high",
        tags: "rotating_light",
        authorization: "Bearer tk_abc",
      });
      expect(request!.headers["content-type"]).toStartWith("text/plain");
      const [summary, ...events] = request!.body.split("\n");
      expect(summary).toBe("backup-db #1 failed after 4s (exit code 1)");
      expect(events.some((line) => line.endsWith(" dumping"))).toBe(true);
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("a configured priority wins; a non-ASCII title is sent as an RFC 2047 word", async () => {
    const receiver = startReceiver();
    const kit = alertKit([{ name: "push", type: "ntfy", url: receiver.url, priority: "urgent" }]);
    try {
      await failWithLog(kit, "резервная-копия", []);
      const { title, priority } = receiver.requests[0]!.headers;
      expect(priority).toBe("urgent");
      const encoded = /^=\?UTF-8\?B\?(.+)\?=$/.exec(title!)![1]!;
      expect(Buffer.from(encoded, "base64").toString("utf8")).toBe(
        "StatusBox: резервная-копия failed",
      );
      expect(receiver.requests[0]!.body).toStartWith("резервная-копия #1 failed");
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });

  test("a recovery is sent at default priority with a check mark", async () => {
    const receiver = startReceiver();
    const kit = alertKit([{ name: "push", type: "ntfy", url: receiver.url, on: ["recovered"] }]);
    try {
      await kit.finish("sync", "fail");
      await kit.finish("sync", "complete");
      await kit.dispatcher.step();
      expect(receiver.requests[0]!.headers).toMatchObject({
        title: "StatusBox: sync recovered",
        priority: "default",
        tags: "white_check_mark",
      });
    } finally {
      await kit.close();
      await receiver.stop();
    }
  });
});
