import { characterCount, jobNameProblem } from "../../domain/job-name.ts";
import { MAX_TIMEOUT_SECONDS } from "../../http/schemas.ts";
import { stringOption, UsageError, type ParsedArgs } from "../command.ts";

/**
 * Checks of the arguments the daemon would refuse, made before anything runs: a typo in a
 * crontab then fails at once with exit code 2 and the usage, not with an HTTP error.
 */
export interface JobSpec {
  name: string;
  timeoutSeconds: number;
  version?: string;
}

export const JOB_SPEC_OPTIONS = {
  name: { type: "string" },
  timeout: { type: "string" },
  version: { type: "string" },
} as const;

export function jobSpecOf(args: ParsedArgs): JobSpec {
  const name = stringOption(args, "name");
  if (name === undefined) throw new UsageError("--name is required");
  const problem = jobNameProblem(name, "--name");
  if (problem) throw new UsageError(problem);

  const timeout = stringOption(args, "timeout");
  if (timeout === undefined) throw new UsageError("--timeout is required (seconds)");
  const seconds = timeoutSecondsOf(timeout);

  const version = stringOption(args, "version");
  if (version !== undefined && characterCount(version) > 64) {
    throw new UsageError("--version must be at most 64 characters");
  }
  return { name, timeoutSeconds: seconds, ...(version === undefined ? {} : { version }) };
}

/**
 * `--timeout`, checked by the API's rules and told in the API's words: a number (decimals
 * and exponents as JSON has them), greater than 0, at most 366 days.
 */
function timeoutSecondsOf(text: string): number {
  const seconds = Number(text);
  if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) {
    throw new UsageError(`--timeout must be a number of seconds, not '${text}'`);
  }
  if (!(seconds > 0)) {
    throw new UsageError(`--timeout must be a number greater than 0, not '${text}'`);
  }
  if (seconds > MAX_TIMEOUT_SECONDS) {
    throw new UsageError(
      `--timeout must be at most ${MAX_TIMEOUT_SECONDS} seconds (366 days), not '${text}'`,
    );
  }
  return seconds;
}

/** A run id argument: a positive whole number. */
export function jobIdOf(raw: string): number {
  if (!/^[1-9]\d{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(`ID must be a job id (a positive whole number), not '${raw}'`);
  }
  return Number(raw);
}

/** `--exit-code`: a whole number from 0 to 255, or absent. */
export function exitCodeOf(args: ParsedArgs): number | undefined {
  const raw = stringOption(args, "exit-code");
  if (raw === undefined) return undefined;
  if (!/^\d{1,3}$/.test(raw) || Number(raw) > 255) {
    throw new UsageError(`--exit-code must be a whole number from 0 to 255, not '${raw}'`);
  }
  return Number(raw);
}
