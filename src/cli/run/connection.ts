import { DEFAULT_URL, StatusBoxClient, type ClientOptions } from "../../client/client.ts";
import { StatusBoxApiError, StatusBoxConnectionError } from "../../client/errors.ts";
import { resolveNamedSetting, resolveSetting } from "../../config/settings.ts";
import { clip, oneLine } from "../../text/terminal-safe.ts";
import { UsageError, type ParsedArgs } from "../command.ts";

/** The options of every command that talks to a daemon over HTTP. */
export const CONNECTION_OPTIONS = { url: { type: "string" }, key: { type: "string" } } as const;

export const CONNECTION_HELP = [
  `  --url URL            the daemon, default ${DEFAULT_URL} (STATUSBOX_URL)`,
  "  --key SECRET         an API key (STATUSBOX_API_KEY; prefer the variable, since",
  "                       flags show in ps)",
].join("\n");

/**
 * A client for the daemon the command line names: `--url` over STATUSBOX_URL over the
 * default, `--key` over STATUSBOX_API_KEY. A URL that is not http(s) is a usage error.
 */
export function clientFor(args: ParsedArgs, options: Partial<ClientOptions> = {}) {
  const { value: url, from } = resolveNamedSetting(args, "url", "STATUSBOX_URL", DEFAULT_URL);
  let parsed: URL | null = null;
  try {
    parsed = new URL(url);
  } catch {
    // reported below
  }
  if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    throw new UsageError(`${from} must be an http:// or https:// URL, not '${url}'`);
  }
  if (args.values.key === "") throw new UsageError("--key needs a value: an API key's secret");
  const key = resolveSetting(args, "key", "STATUSBOX_API_KEY", "");
  return new StatusBoxClient({ ...options, url, key });
}

/**
 * One sentence for a client error, or null for anything else (a bug, to be thrown). With
 * `addressHint`, a refused connection also says how to name another address: the command's
 * whole message, where `statusbox run` goes on to say that its command runs anyway.
 */
export function describeClientError(
  error: unknown,
  { addressHint = false }: { addressHint?: boolean } = {},
): string | null {
  // The daemon's sentence may quote what a client sent (a job name, a message): it reaches
  // the terminal escaped like everything else we print that came from outside.
  if (error instanceof StatusBoxApiError && error.code === "http_error") {
    // Not the daemon's answer (a proxy's page, another server): its status line is the message.
    return `${said(error.message)}; is the URL the StatusBox daemon's?`;
  }
  if (error instanceof StatusBoxApiError && error.status === 401 && sentNoKey(error)) {
    // The daemon's own sentence is about HTTP headers; on the command line, say what to set.
    return "the daemon needs an API key: set STATUSBOX_API_KEY or pass --key (HTTP 401)";
  }
  if (error instanceof StatusBoxApiError) return `${said(error.message)} (HTTP ${error.status})`;
  if (error instanceof StatusBoxConnectionError) {
    const refused = addressHint && /\((ECONNREFUSED|ConnectionRefused)\)$/.test(error.message);
    const hint = refused ? "; is the daemon running at that address? (--url, STATUSBOX_URL)" : "";
    return said(error.message) + hint;
  }
  return null;
}

/** The daemon's 401 for a request with no Authorization header: no key was configured. */
const sentNoKey = (error: StatusBoxApiError) =>
  error.message.startsWith("missing Authorization header");

/** The most of another server's words a message repeats: what answers may not be the daemon. */
const SAID_CHARACTERS = 300;

/** `text` escaped for the terminal on one line, cut to SAID_CHARACTERS. */
const said = (text: string) => clip(oneLine(text), SAID_CHARACTERS);
