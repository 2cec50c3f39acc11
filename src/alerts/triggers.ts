import type { Run, RunStatus } from "../domain/run.ts";

/** The end states that count as a run having gone wrong, for `threshold` and `recovered`. */
export const WENT_WRONG: ReadonlySet<RunStatus> = new Set<RunStatus>([
  "failed",
  "timed_out",
  "missed",
]);

/**
 * What a trigger may look at when a run changes state. `wrongBefore` counts the runs of the
 * same name that went wrong in a row just before this one (cancelled runs are skipped: an
 * operator's abort says nothing about the job's health); it queries only when called.
 */
export interface TriggerContext {
  run: Run;
  previous: RunStatus;
  threshold: number;
  wrongBefore(): number;
}

export interface TriggerDefinition {
  name: string;
  /** Whether a channel listening for this trigger gets an alert for this change. */
  fires(context: TriggerContext): boolean;
  /** Failures: the runs that went wrong in a row, this one included. */
  streak?(context: TriggerContext): number;
}

const wrongInARow = (c: TriggerContext) => 1 + c.wrongBefore();
const failure = <S extends RunStatus>(status: S) => ({
  name: status,
  fires: (c: TriggerContext) => c.run.status === status && wrongInARow(c) >= c.threshold,
  streak: wrongInARow,
});

/**
 * Every trigger a channel's `on` may name, in order of precedence: a channel listening for
 * both `recovered` and `completed` gets one alert, `recovered`, for a run that is both.
 * Adding a trigger is adding one line here.
 */
export const TRIGGERS = [
  failure("failed"),
  failure("timed_out"),
  failure("missed"),
  { name: "cancelled", fires: (c) => c.run.status === "cancelled" },
  {
    name: "recovered",
    fires: (c) => c.run.status === "completed" && c.wrongBefore() >= c.threshold,
    streak: (c) => c.wrongBefore(),
  },
  { name: "completed", fires: (c) => c.run.status === "completed" },
] as const satisfies readonly TriggerDefinition[];

export type TriggerName = (typeof TRIGGERS)[number]["name"];
export const TRIGGER_NAMES: readonly string[] = TRIGGERS.map((t) => t.name);

/** The first trigger among `listening` that fires for this change, with its streak. */
export function matchTrigger(
  listening: ReadonlySet<string>,
  context: TriggerContext,
): { trigger: string; streak: number } | null {
  for (const definition of TRIGGERS as readonly TriggerDefinition[]) {
    if (!listening.has(definition.name) || !definition.fires(context)) continue;
    return { trigger: definition.name, streak: definition.streak?.(context) ?? 0 };
  }
  return null;
}
