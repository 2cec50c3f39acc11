import { SMTPServer, type SMTPServerOptions } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The whole message as sent: headers, a blank line, the body. */
  raw: string;
  /** The user that authenticated, if any. */
  user: string | null;
  /** Whether the session was encrypted (STARTTLS or TLS) when the mail was sent. */
  secure: boolean;
}

export interface SmtpSink {
  port: number;
  mails: ReceivedMail[];
  stop(): Promise<void>;
}

/**
 * A real SMTP server on 127.0.0.1 that keeps every mail it is sent: the sink for the email
 * channel's tests. `tls`: "starttls" offers STARTTLS (with smtp-server's own self-signed
 * certificate), "tls" is TLS from the first byte, "none" is clear text. With `auth`, only
 * that user and password are accepted; `rejectRecipients` answers RCPT TO with that code.
 * Pass `port` to bring a sink back on the port of one that was down.
 */
export async function startSmtpSink(
  options: {
    tls?: "starttls" | "tls" | "none";
    auth?: { user: string; pass: string };
    rejectRecipients?: number;
    port?: number;
  } = {},
): Promise<SmtpSink> {
  const mails: ReceivedMail[] = [];
  const tls = options.tls ?? "none";
  const config: SMTPServerOptions = {
    secure: tls === "tls",
    disabledCommands: tls === "none" ? ["STARTTLS"] : [],
    authOptional: options.auth === undefined,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, callback) {
      const ok = auth.username === options.auth?.user && auth.password === options.auth?.pass;
      if (ok) callback(null, { user: auth.username });
      else callback(Object.assign(new Error("authentication failed"), { responseCode: 535 }));
    },
    onRcptTo(_address, _session, callback) {
      if (options.rejectRecipients === undefined) return callback();
      const error = Object.assign(new Error("mailbox unavailable"), {
        responseCode: options.rejectRecipients,
      });
      callback(error);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString("utf8"),
          user: (session.user as string | undefined) ?? null,
          secure: session.secure,
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(config);
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    mails,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
