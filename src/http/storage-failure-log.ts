import type { LogFields, Logger } from "../log/logger.ts";
import { isBusy } from "../storage/storage-errors.ts";

/** How often, at most, a run of storage failures is logged while it lasts. */
const EVERY_MS = 10_000;

/**
 * Logs the requests refused with a 503 because the database failed them (a full disk, an I/O
 * error, a damaged file, a lock held too long). The operator has to hear of it, but a full
 * disk refuses every write: the first failure is logged at once, then one line every 10 s at
 * most, counting the failures it stands for.
 */
export class StorageFailureLog {
  private lastLoggedAt = Number.NEGATIVE_INFINITY;
  private unlogged = 0;

  constructor(
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  record(path: string, cause: unknown): void {
    const now = this.now();
    if (now - this.lastLoggedAt < EVERY_MS) {
      this.unlogged++;
      return;
    }
    const fields: LogFields = { path, error: String(cause) };
    if (this.unlogged > 0) fields.alsoRefusedSinceLastLine = this.unlogged;
    // Another process holding the lock passes; a full disk or a damaged file needs a person.
    const level = isBusy(cause) ? "warn" : "error";
    this.logger[level]("storage failure: request refused with 503", fields);
    this.lastLoggedAt = now;
    this.unlogged = 0;
  }
}
