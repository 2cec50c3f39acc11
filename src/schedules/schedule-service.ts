import type { Clock } from "../domain/clock.ts";
import { conflict, notFound } from "../domain/errors.ts";
import type { WriteCommitter } from "../domain/ports.ts";
import type { Logger } from "../log/logger.ts";
import type { ScheduleStore } from "../storage/schedule-store.ts";
import { Cadence } from "./cadence.ts";
import {
  currentWindow,
  sameSpec,
  type Schedule,
  type ScheduleSource,
  type ScheduleSpec,
  type ScheduleWindow,
} from "./schedule.ts";
import type { ScheduleChecker } from "./schedule-checker.ts";

/** A schedule as the config file declares it. */
export interface DeclaredSchedule {
  name: string;
  spec: ScheduleSpec;
}

/**
 * The use cases of schedules: set, remove, read, and apply the config file's. Each change
 * is one write; the checker is told after it commits. Setting a schedule to what it already
 * is keeps its current window; changing it starts the windows afresh from that moment.
 */
export class ScheduleService {
  constructor(
    private readonly store: ScheduleStore,
    private readonly writes: WriteCommitter,
    private readonly checker: ScheduleChecker,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /**
   * Creates or replaces the schedule of `name` over the API; answers it and whether it is
   * new. A schedule from the config file is refused (409): the file would bring it back.
   */
  async put(name: string, spec: ScheduleSpec): Promise<{ schedule: Schedule; created: boolean }> {
    const result = await this.writes.submit(() => {
      const existing = this.store.get(name);
      if (existing?.source === "config") throw fromConfig(name);
      return { schedule: this.save(name, spec, "api", existing), created: existing === null };
    });
    this.checker.arm(result.schedule);
    if (result.created) this.logger.info("schedule set", { name, source: "api" });
    return result;
  }

  /** Removes the schedule of `name`; its missed runs stay, as runs do. */
  async remove(name: string): Promise<void> {
    const removed = await this.writes.submit(() => {
      const existing = this.store.get(name);
      if (!existing) throw notFound(`no schedule for the job name '${name}'`);
      if (existing.source === "config") throw fromConfig(name);
      this.store.delete(name);
      return existing;
    });
    this.checker.disarm(removed.id);
    this.logger.info("schedule removed", { name });
  }

  get(name: string): Schedule {
    const schedule = this.store.get(name);
    if (!schedule) throw notFound(`no schedule for the job name '${name}'`);
    return schedule;
  }

  list(): Schedule[] {
    return this.store.list();
  }

  /** The window a schedule waits on as of now (see currentWindow). */
  current(schedule: Schedule): ScheduleWindow {
    const since = this.store.lastRunIn(schedule.name, schedule.window.opensAt, this.clock.now());
    return currentWindow(schedule, since);
  }

  /**
   * Makes the stored schedules from the config file exactly the declared ones: new and
   * changed ones are saved, those no longer declared are removed, unchanged ones keep their
   * windows (so a restart goes on judging them). A declared name that was set over the API
   * becomes the file's. Call before the checker recovers.
   */
  async applyConfig(declared: readonly DeclaredSchedule[]): Promise<void> {
    const names = new Set(declared.map((d) => d.name));
    const { saved, removed } = await this.writes.submit(() => {
      const saved = declared.map((d) =>
        this.save(d.name, d.spec, "config", this.store.get(d.name)),
      );
      const gone = this.store.list().filter((s) => s.source === "config" && !names.has(s.name));
      for (const schedule of gone) this.store.delete(schedule.name);
      return { saved, removed: gone };
    });
    for (const schedule of removed) this.checker.disarm(schedule.id);
    for (const schedule of saved) this.checker.arm(schedule);
    if (declared.length > 0 || removed.length > 0) {
      this.logger.info("schedules from the config file", {
        declared: declared.length,
        removed: removed.length,
      });
    }
  }

  /**
   * Started with no config file at all: the schedules an earlier file declared are kept as
   * they are (a start that forgot `--config` must not delete them), and the log says so.
   */
  keepConfig(): void {
    const kept = this.store.list().filter((s) => s.source === "config").length;
    if (kept > 0) {
      this.logger.info("no config file; keeping the schedules an earlier one declared", { kept });
    }
  }

  /** Inside a write: stores the schedule, keeping the current window when nothing changed. */
  private save(
    name: string,
    spec: ScheduleSpec,
    source: ScheduleSource,
    existing: Schedule | null,
  ): Schedule {
    const unchanged = existing !== null && sameSpec(existing, spec);
    if (unchanged && existing.source === source) return existing;
    const now = this.clock.now();
    const window = unchanged ? existing.window : new Cadence(spec).first(now);
    return this.store.upsert({ name, spec, source, window, at: now });
  }
}

const fromConfig = (name: string) =>
  conflict(`the schedule of '${name}' is declared in the config file; change it there`);
