import type { CliIO } from "./command.ts";

/**
 * What a command that opens the database says when there was none at its path: it creates
 * one, as every command that takes --db does, and says so on stderr, so that a mistyped
 * --db shows at once instead of reading as an empty history.
 */
export const announceNewDatabase = (io: CliIO) => (path: string) =>
  io.stderr(`statusbox: there was no database at ${path}; created a new, empty one\n`);
