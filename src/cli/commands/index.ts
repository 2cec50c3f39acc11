import type { Command } from "../command.ts";
import { configCheckCommand } from "./config-check.ts";
import { keysCreateCommand, keysListCommand, keysRevokeCommand } from "./keys.ts";
import { pruneCommand } from "./prune.ts";
import { serveCommand } from "./serve.ts";

/** Every subcommand, in the order `statusbox --help` lists them. */
export const COMMANDS: Command[] = [
  serveCommand,
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  configCheckCommand,
  pruneCommand,
];
