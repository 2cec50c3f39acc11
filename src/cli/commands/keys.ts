import { KeyService } from "../../auth/key-service.ts";
import { CONFIG_OPTION } from "../../config/config-file.ts";
import { resolveDbPath } from "../../config/operations-settings.ts";
import { DB_OPTION } from "../../config/settings.ts";
import { systemClock } from "../../domain/clock.ts";
import { openDatabase } from "../../storage/database.ts";
import { KeyStore } from "../../storage/key-store.ts";
import { terminalSafe } from "../../text/terminal-safe.ts";
import { stringOption, UsageError, type CliIO, type Command, type ParsedArgs } from "../command.ts";
import { MAX_NAME_CHARACTERS, characterCount } from "../../domain/job-name.ts";
import { formatTable } from "../format-table.ts";
import { announceNewDatabase } from "../new-database-notice.ts";

/** Opens the database for one key command and closes it whatever happens. */
function withKeys<T>(args: ParsedArgs, io: CliIO, work: (keys: KeyService) => T): T {
  const db = openDatabase(resolveDbPath(args).dbPath, { onCreate: announceNewDatabase(io) });
  try {
    return work(new KeyService(new KeyStore(db), systemClock));
  } finally {
    db.close();
  }
}

const DB_CREATED = `  --db PATH      database file (STATUSBOX_DB, [server] db, default
                 ./statusbox.db), created (and said so) when missing
  --config PATH  config file to read [server] db from (STATUSBOX_CONFIG, default
                 ./statusbox.toml when it exists)`;

export const keysCreateCommand: Command = {
  path: ["keys", "create"],
  summary: "Create an API key and print its secret",
  usage: `Usage: statusbox keys create [--name NAME] [--read-only] [--db PATH]

Creates an API key. The secret is printed once, alone on the last line of stdout, so that
KEY=$(statusbox keys create | tail -n1) works; only its SHA-256 is stored.

Options:
  --name NAME    a label to recognise the key by, 1 to 64 characters (default "unnamed")
  --read-only    the key may read but not write (403 on writes)
${DB_CREATED}
`,
  options: {
    ...DB_OPTION,
    ...CONFIG_OPTION,
    name: { type: "string" },
    "read-only": { type: "boolean" },
  },
  async run(args, io) {
    const name = keyNameOf(stringOption(args, "name"));
    const scope = args.values["read-only"] === true ? "read" : "write";
    const { key, secret } = withKeys(args, io, (keys) => keys.create(name, scope));
    const label = terminalSafe(key.name);
    io.stdout(`Created ${scope} key ${key.id} (${label}). Its secret, shown only once:\n`);
    io.stdout(`${secret}\n`);
    return 0;
  },
};

export const keysListCommand: Command = {
  path: ["keys", "list"],
  summary: "List API keys (never their secrets)",
  usage: `Usage: statusbox keys list [--db PATH]

Lists every key with its id, name, scope, creation time, last use and revocation. The
daemon writes a key's last use at most once a minute, so LAST USED may be up to a minute
behind its latest request.

Options:
${DB_CREATED}
`,
  options: { ...DB_OPTION, ...CONFIG_OPTION },
  async run(args, io) {
    const keys = withKeys(args, io, (service) => service.list());
    const iso = (ms: number | null) => (ms === null ? "-" : new Date(ms).toISOString());
    const rows = keys.map((k) => [
      String(k.id),
      terminalSafe(k.name),
      k.scope,
      iso(k.createdAt),
      k.lastUsedAt === null ? "never" : iso(k.lastUsedAt),
      k.revokedAt === null ? "active" : `revoked ${iso(k.revokedAt)}`,
    ]);
    io.stdout(formatTable(["ID", "NAME", "SCOPE", "CREATED", "LAST USED", "STATE"], rows));
    return 0;
  },
};

export const keysRevokeCommand: Command = {
  path: ["keys", "revoke"],
  summary: "Revoke an API key by id",
  usage: `Usage: statusbox keys revoke ID [--db PATH]

Revokes the key at once: a running daemon refuses it from the next request on.

Options:
${DB_CREATED}
`,
  options: { ...DB_OPTION, ...CONFIG_OPTION },
  positionals: { min: 1, max: 1, missing: ["the ID of the key to revoke is missing"] },
  async run(args, io) {
    const raw = args.positionals[0]!;
    if (!/^\d+$/.test(raw)) throw new UsageError(`ID must be a key id number, not '${raw}'`);
    const revoked = withKeys(args, io, (keys) => keys.revoke(Number(raw)));
    if (!revoked) {
      io.stderr(`statusbox keys revoke: no active key with id ${raw}\n`);
      return 1;
    }
    io.stdout(`Revoked key ${raw}.\n`);
    return 0;
  },
};

/**
 * `--name`: shown by `keys list` in a terminal, so 1 to 64 characters and no control
 * characters (an escape sequence in a label would act on whoever lists the keys).
 */
function keyNameOf(name: string | undefined): string {
  if (name === undefined) return "unnamed";
  if (name === "") throw new UsageError("--name must not be empty");
  if (characterCount(name) > MAX_NAME_CHARACTERS) {
    throw new UsageError(`--name must be at most ${MAX_NAME_CHARACTERS} characters`);
  }
  if (/\p{Cc}/u.test(name)) throw new UsageError("--name must not contain control characters");
  return name;
}
