import type { StatusBoxClient } from "../../client/client.ts";
import { StatusBoxApiError } from "../../client/errors.ts";
import type { JobSpec } from "./arguments.ts";
import { describeClientError } from "./connection.ts";

/** Retries of the create when it surely was not stored (refused connection, 5xx). */
const CREATE_RETRIES = 2;

export interface CreationOptions {
  /** After this long without an answer, one warning says that the daemon is slow. */
  patienceMs: number;
  warn: (text: string) => void;
}

/**
 * The request that creates the run. It is sent before the command starts, but the command
 * waits for it only briefly (`answerWithin`): a daemon that hangs (stopped, swapping, behind
 * a lost network) must not hold up the job. The request then goes on in the background with
 * no time limit of its own, until `stop`, because a daemon that has received it stores the
 * run when it wakes: only with the run's id can the wrapper ship the lines and end that run,
 * rather than leave it running until it times out.
 */
export class RunCreation {
  /** The run's id, null when the daemon refused or could not be reached (already warned). */
  readonly answer: Promise<number | null>;
  /** When the answer came (ms since the epoch), or null while none has. */
  answeredAt: number | null = null;
  private readonly abort = new AbortController();

  constructor(client: StatusBoxClient, job: JobSpec, options: CreationOptions) {
    const slow = setTimeout(() => {
      const seconds = Math.round(options.patienceMs / 100) / 10;
      options.warn(
        `no answer from ${client.url} in ${seconds} s to the creation of the run; ` +
          "the command goes on, and is reported if the daemon answers in time",
      );
    }, options.patienceMs);

    const call = { retries: CREATE_RETRIES, signal: this.abort.signal, timeoutMs: null };
    const settle = (id: number | null) => {
      this.answeredAt = Date.now();
      clearTimeout(slow);
      return id;
    };
    this.answer = client.create(job, call).then(settle, (error: unknown) => {
      settle(null);
      if (!this.abort.signal.aborted) options.warn(refusal(error));
      return null;
    });
  }

  /**
   * Waits for the answer for at most `ms`, or until `interrupted` settles: the id, null
   * (refused or unreachable), or undefined while the daemon has not answered.
   */
  async answerWithin(
    ms: number,
    interrupted?: Promise<unknown>,
  ): Promise<number | null | undefined> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<undefined>((done) => {
      timer = setTimeout(() => done(undefined), ms);
    });
    const cut = interrupted?.then(() => undefined) ?? timeout;
    try {
      return await Promise.race([this.answer, timeout, cut]);
    } finally {
      clearTimeout(timer);
    }
  }

  // TODO: a daemon that reads the request only after we gave up (60 s after the command
  // ended) still stores the run, which stays running until its timeout raises a timed_out
  // alert. The API cannot withdraw a create (no key to end it by, no expiry the daemon checks).
  /** Gives up the request: its answer, if it ever comes, is not waited for. */
  stop(): void {
    this.abort.abort();
  }
}

function refusal(error: unknown): string {
  const sentence = describeClientError(error);
  if (sentence === null) throw error;
  // An http_error is an answer from something else at the URL, not a refusal by the daemon.
  const fromDaemon = error instanceof StatusBoxApiError && error.code !== "http_error";
  const refused = fromDaemon ? "the daemon refused the run: " : "";
  return `${refused}${sentence}; the command runs without being reported`;
}
