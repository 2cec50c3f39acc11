import type { Clock } from "../domain/clock.ts";
import type { RunListener } from "../domain/ports.ts";
import type { Run, RunEvent, RunStatus } from "../domain/run.ts";
import type { AlertChannel } from "./config.ts";
import { MAX_THRESHOLD } from "./config-fields.ts";
import { compileJobFilter } from "./glob.ts";
import type { OutboxStore } from "./outbox-store.ts";
import { ALERT_EVENTS, buildPayload } from "./payload.ts";
import { matchTrigger, WENT_WRONG, type TriggerContext } from "./triggers.ts";

interface Route {
  channel: AlertChannel;
  listening: ReadonlySet<string>;
  covers: (runName: string) => boolean;
}

export interface EnqueuerOptions {
  store: OutboxStore;
  channels: readonly AlertChannel[];
  clock: Clock;
  /** Told after a change queued at least one alert (the dispatcher wakes up). */
  onEnqueued?: () => void;
  newKey?: () => string;
}

/**
 * Turns run state changes into outbox rows. It is a RunListener, so it runs inside the
 * write transaction of the change: the alert commits with the change or not at all. For each
 * channel whose `jobs` cover the run it finds the first trigger that fires, applies the
 * cooldown, and stores the alert's payload.
 */
export class AlertEnqueuer implements RunListener {
  private readonly routes: Route[];
  private readonly newKey: () => string;

  constructor(private readonly options: EnqueuerOptions) {
    this.routes = options.channels.map((channel) => ({
      channel,
      listening: new Set(channel.on),
      covers: compileJobFilter(channel.jobs),
    }));
    this.newKey = options.newKey ?? (() => crypto.randomUUID());
  }

  onStatusChange(run: Run, previous: RunStatus): void {
    if (run.status === previous || run.status === "running" || run.finishedAt === null) return;
    const finishedAt = run.finishedAt;
    const { store } = this.options;

    let streak: number | null = null;
    const wentWrong = (status: string) => WENT_WRONG.has(status as RunStatus);
    const wrongBefore = () =>
      (streak ??= store.wrongInARowBefore({ ...run, finishedAt }, wentWrong, MAX_THRESHOLD));
    let events: RunEvent[] | null = null;

    let queued = 0;
    for (const route of this.routes) {
      if (route.listening.size === 0 || !route.covers(run.name)) continue;
      const context: TriggerContext = {
        run,
        previous,
        threshold: route.channel.threshold,
        wrongBefore,
      };
      const match = matchTrigger(route.listening, context);
      if (!match) continue;

      events ??= store.lastEvents(run.id, ALERT_EVENTS);
      if (this.enqueue(route.channel, run, match, events)) queued++;
    }
    if (queued > 0) this.options.onEnqueued?.();
  }

  /** Stores one alert, unless the channel's cooldown holds it back; answers whether it did. */
  private enqueue(
    channel: AlertChannel,
    run: Run,
    match: { trigger: string; streak: number },
    events: RunEvent[],
  ): boolean {
    const { store } = this.options;
    const now = this.options.clock.now();

    let heldBack = 0;
    if (channel.cooldown !== null) {
      const window = store.cooldown(channel.name, run.name);
      if (window && now - window.lastAlertAt < channel.cooldown) {
        store.holdBack(channel.name, run.name);
        return false;
      }
      heldBack = window?.heldBack ?? 0;
      store.openWindow(channel.name, run.name, now);
    }

    const idempotencyKey = this.newKey();
    const payload = buildPayload({
      trigger: match.trigger,
      channel: channel.name,
      run,
      events,
      idempotencyKey,
      createdAt: now,
      heldBack,
      failuresInARow: match.streak,
    });
    store.insert({
      channel: channel.name,
      runId: run.id,
      runName: run.name,
      trigger: match.trigger,
      payload: JSON.stringify(payload),
      createdAt: now,
      idempotencyKey,
    });
    return true;
  }
}
