/**
 * Why the daemon could not listen, as one sentence naming the address: Bun's own errors say
 * "invalid argument, listen" for a host that is no address at all, which names neither.
 */
export function explainListenError(host: string, port: number, error: unknown): Error {
  const code = (error as { code?: unknown } | null)?.code;
  const where = `${host}:${port}`;
  switch (code) {
    case "EADDRINUSE":
      return new Error(`cannot listen on ${where}: port ${port} in use by another program`);
    case "EADDRNOTAVAIL":
      return new Error(`cannot listen on ${where}: ${host} is not an address of this machine`);
    case "EACCES":
      return new Error(`cannot listen on ${where}: not allowed (ports below 1024 need root)`);
    case "EINVAL":
    case "ENOENT":
    case "ENOTFOUND":
    case "EAI_NONAME":
      return new Error(`cannot listen on ${where}: ${host} is not an IP address or known name`);
    default:
      return error instanceof Error ? error : new Error(String(error));
  }
}
