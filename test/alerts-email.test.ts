import { describe, expect, test } from "bun:test";
import type { AlertChannelOf } from "../src/alerts/channel-schemas.ts";
import { DeliveryAborted } from "../src/alerts/channels/delivery.ts";
import { sendEmail } from "../src/alerts/channels/email.ts";
import { testPayload } from "../src/alerts/test-alert.ts";
import { alertKit, channelsOf } from "./helpers/alerts-kit.ts";
import { REPO_ROOT } from "./helpers/binary.ts";
import { closedPort } from "./helpers/http-receiver.ts";
import { startSmtpSink } from "./helpers/smtp-sink.ts";
import { startStallingSmtp } from "./helpers/stalling-smtp.ts";
import { waitFor } from "./helpers/wait-for.ts";

const mailChannel = (port: number, extra: Record<string, unknown> = {}) => ({
  name: "mail",
  type: "email",
  host: "127.0.0.1",
  port,
  tls: "none",
  from: "StatusBox <statusbox@example.com>",
  to: ["ops@example.com", "oncall@example.com"],
  ...extra,
});

const mailTo = (port: number) => channelsOf([mailChannel(port)])[0] as AlertChannelOf<"email">;
const neverAborted = new AbortController().signal;

describe("email channel", () => {
  test("sends a mail with the summary as subject and the last events in the body", async () => {
    const sink = await startSmtpSink();
    const kit = alertKit([mailChannel(sink.port)]);
    try {
      const run = await kit.runs.create({ name: "backup-db", timeoutSeconds: 60 });
      await kit.runs.log(run.id, [{ message: "dumping tables" }]);
      kit.clock.advance(3000);
      await kit.runs.end(run.id, "fail", { exitCode: 2 });
      await kit.dispatcher.step();

      expect(sink.mails.length).toBe(1);
      const [mail] = sink.mails;
      expect(mail!.from).toBe("statusbox@example.com");
      expect(mail!.to).toEqual(["ops@example.com", "oncall@example.com"]);
      expect(mail!.raw).toContain(
        "Subject: [StatusBox] backup-db #1 failed after 3s (exit code 2)",
      );
      expect(mail!.raw).toContain(`Message-ID: <${kit.outbox()[0]!.idempotency_key}@statusbox>`);
      expect(mail!.raw).toContain("dumping tables");
      expect(mail!.raw).toContain("status: failed");
      expect(kit.attempts()[0]).toMatchObject({ outcome: "delivered", status_code: 250 });
    } finally {
      await kit.close();
      await sink.stop();
    }
  });

  test("logs in with user and password over STARTTLS", async () => {
    const sink = await startSmtpSink({
      tls: "starttls",
      auth: { user: "alerts", pass: "pa55word" },
    });
    const channel = mailChannel(sink.port, {
      tls: "starttls",
      tls_verify: false, // the sink's certificate is self-signed
      user: "alerts",
      password: "pa55word",
    });
    const kit = alertKit([channel]);
    try {
      await kit.finish("backup", "fail");
      await kit.dispatcher.step();
      expect(sink.mails.map((m) => [m.user, m.secure])).toEqual([["alerts", true]]);
    } finally {
      await kit.close();
      await sink.stop();
    }
  });

  test('connects over TLS from the first byte with tls = "tls"', async () => {
    const sink = await startSmtpSink({ tls: "tls" });
    const kit = alertKit([mailChannel(sink.port, { tls: "tls", tls_verify: false })]);
    try {
      await kit.finish("backup", "fail");
      await kit.dispatcher.step();
      expect(sink.mails.map((m) => m.secure)).toEqual([true]);
    } finally {
      await kit.close();
      await sink.stop();
    }
  });

  test("refuses a self-signed certificate unless tls_verify = false", async () => {
    const sink = await startSmtpSink({ tls: "starttls" });
    const kit = alertKit([mailChannel(sink.port, { tls: "starttls" })]);
    try {
      await kit.finish("backup", "fail");
      await kit.dispatcher.step();
      expect(sink.mails).toEqual([]);
      expect(kit.attempts()[0]!.outcome).toBe("failed");
      expect(kit.attempts()[0]!.error).toMatch(/certificate/i);
    } finally {
      await kit.close();
      await sink.stop();
    }
  });

  test("a wrong password is a permanent failure, and the password is never recorded", async () => {
    const sink = await startSmtpSink({ auth: { user: "alerts", pass: "right" } });
    const kit = alertKit([mailChannel(sink.port, { user: "alerts", password: "wr0ng-pa55" })]);
    try {
      await kit.finish("backup", "fail");
      await kit.dispatcher.step();
      expect(kit.attempts()[0]).toMatchObject({ outcome: "permanent_failure", status_code: 535 });
      expect(JSON.stringify(kit.attempts())).not.toContain("wr0ng-pa55");
      expect(kit.logLines.join("")).not.toContain("wr0ng-pa55");
    } finally {
      await kit.close();
      await sink.stop();
    }
  });

  test("a 5xx reply is permanent; a 4xx reply is retried", async () => {
    for (const [code, outcome] of [
      [550, "permanent_failure"],
      [451, "failed"],
    ] as const) {
      const sink = await startSmtpSink({ rejectRecipients: code });
      const kit = alertKit([mailChannel(sink.port)]);
      try {
        await kit.finish("backup", "fail");
        await kit.dispatcher.step();
        expect(kit.attempts()[0]).toMatchObject({ outcome, status_code: code });
      } finally {
        await kit.close();
        await sink.stop();
      }
    }
  });

  test("a mail server that is down is retried, and delivered once it is up", async () => {
    const port = await closedPort();
    const kit = alertKit([mailChannel(port)]);
    try {
      await kit.finish("backup", "fail");
      await kit.dispatcher.step();
      expect(kit.attempts()[0]!.outcome).toBe("failed");
      expect(kit.attempts()[0]!.error).toContain("ECONNREFUSED");
      expect(kit.outbox()[0]!.state).toBe("pending");

      const sink = await startSmtpSink({ port });
      try {
        kit.clock.advance(1000);
        await kit.dispatcher.step();
        kit.clock.advance(60_000);
        await kit.dispatcher.step();
        expect(sink.mails.length).toBe(1);
        expect(kit.outbox()[0]).toMatchObject({ state: "delivered", attempts: 2 });
      } finally {
        await sink.stop();
      }
    } finally {
      await kit.close();
    }
  });
});

describe("email channel, against a server that never finishes answering", () => {
  for (const behaviour of ["endless-reply", "trickled-greeting"] as const) {
    test(`${behaviour}: fails at the deadline, to be retried, its connection closed`, async () => {
      const server = await startStallingSmtp(behaviour);
      try {
        const began = performance.now();
        const result = await sendEmail(
          mailTo(server.port),
          testPayload("mail", Date.now()),
          neverAborted,
          { deadlineMs: 300 },
        );
        const took = performance.now() - began;

        expect(result).toEqual({
          outcome: "failed",
          statusCode: null,
          error: "no answer from the SMTP server within 300ms",
        });
        expect(took).toBeGreaterThanOrEqual(290);
        expect(took).toBeLessThan(1000);
        await waitFor(() => server.closedAt.length === 1, { what: "the connection to close" });
        expect(server.closedAt[0]! - began).toBeLessThan(took + 100);
      } finally {
        await server.stop();
      }
    });
  }

  test("a shutdown ends a delivery in progress at once, its connection closed", async () => {
    const server = await startStallingSmtp("endless-reply");
    const shutdown = new AbortController();
    try {
      const delivery = sendEmail(
        mailTo(server.port),
        testPayload("mail", Date.now()),
        shutdown.signal,
      );
      await waitFor(() => server.connections === 1, { what: "the connection" });
      await Bun.sleep(200);
      const abortedAt = performance.now();
      shutdown.abort();

      expect(await delivery.catch((error: unknown) => error)).toBeInstanceOf(DeliveryAborted);
      expect(performance.now() - abortedAt).toBeLessThan(100);
      await waitFor(() => server.closedAt.length === 1, { what: "the connection to close" });
      expect(server.closedAt[0]! - abortedAt).toBeLessThan(100);
    } finally {
      await server.stop();
    }
  });

  test("a delivery given up leaves nothing that keeps the process alive", async () => {
    const server = await startStallingSmtp("endless-reply");
    const script = `
      import { sendEmail } from "${REPO_ROOT}/src/alerts/channels/email.ts";
      import { testPayload } from "${REPO_ROOT}/src/alerts/test-alert.ts";
      const channel = ${JSON.stringify(mailTo(server.port))};
      const result = await sendEmail(channel, testPayload("mail", Date.now()),
        new AbortController().signal, { deadlineMs: 300 });
      console.log(result.error);`;
    try {
      const began = performance.now();
      const child = Bun.spawn([process.execPath, "-e", script], { stdout: "pipe" });
      const exited = await Promise.race([child.exited, Bun.sleep(5000).then(() => "alive")]);
      child.kill("SIGKILL");

      expect(exited).toBe(0);
      expect(await new Response(child.stdout).text()).toBe(
        "no answer from the SMTP server within 300ms\n",
      );
      expect(performance.now() - began).toBeLessThan(3000);
    } finally {
      await server.stop();
    }
  });
});
