import type { Command } from "../command.ts";
import { backupCommand } from "./backup.ts";
import { alertsLogCommand, alertsTestCommand } from "./alerts.ts";
import { configCheckCommand } from "./config-check.ts";
import {
  jobCancelCommand,
  jobCompleteCommand,
  jobFailCommand,
  jobLogCommand,
  jobShowCommand,
  jobStartCommand,
} from "./job.ts";
import { keysCreateCommand, keysListCommand, keysRevokeCommand } from "./keys.ts";
import { pruneCommand } from "./prune.ts";
import { runCommand } from "./run.ts";
import { SCHEDULE_COMMANDS } from "./schedules.ts";
import { serveCommand } from "./serve.ts";
import { watchCommand } from "./watch.ts";

/** Every subcommand, in the order `statusbox --help` lists them. */
export const COMMANDS: Command[] = [
  serveCommand,
  watchCommand,
  keysCreateCommand,
  keysListCommand,
  keysRevokeCommand,
  configCheckCommand,
  alertsTestCommand,
  alertsLogCommand,
  pruneCommand,
  backupCommand,
  runCommand,
  jobStartCommand,
  jobLogCommand,
  jobCompleteCommand,
  jobFailCommand,
  jobCancelCommand,
  jobShowCommand,
  ...SCHEDULE_COMMANDS,
];
