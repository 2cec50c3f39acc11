import { z } from "zod";
import type { DeclaredSchedule } from "./schedule-service.ts";
import { nameProblem, scheduleFieldsShape, specOf } from "./spec.ts";

const tableSchema = z.strictObject({
  name: z.string({
    error: (issue) => (issue.input === undefined ? "name is required" : "name must be a string"),
  }),
  ...scheduleFieldsShape,
});

/**
 * Validates the `schedules` key of the config file: `[[schedules]]` tables with a `name`
 * no other table has, and `cron` (with `tz`) or `every`, and `grace`. Answers the declared
 * schedules, or the first mistake as one sentence that names the key
 * ("schedules[0].cron is not a valid cron expression: ...").
 */
export function parseScheduleTables(
  value: unknown,
): { schedules: DeclaredSchedule[] } | { error: string } {
  if (!Array.isArray(value) || value.some((item) => !isTable(item))) {
    return { error: "schedules must be [[schedules]] tables" };
  }
  const schedules: DeclaredSchedule[] = [];
  for (const [index, table] of value.entries()) {
    const key = `schedules[${index}]`;
    const result = tableSchema.safeParse(table);
    if (!result.success) {
      const issue = result.error.issues[0];
      if (issue?.code === "unrecognized_keys")
        return { error: `unknown key '${key}.${issue.keys[0]}'` };
      return { error: `${key}.${issue?.message ?? "is not a valid schedule"}` };
    }
    const { name, ...fields } = result.data;
    const problem = nameProblem(name);
    if (problem) return { error: `${key}.${problem}` };
    const spec = specOf(fields);
    if ("error" in spec) return { error: `${key}.${spec.error}` };
    const clash = schedules.findIndex((s) => s.name === name);
    if (clash >= 0)
      return { error: `${key}.name '${name}' is already the name of schedules[${clash}]` };
    schedules.push({ name, spec });
  }
  return { schedules };
}

/** The `schedules` key for the config file's schema: parses, or one issue naming the key. */
export const schedulesConfigSchema = z.unknown().transform((value, ctx): DeclaredSchedule[] => {
  const parsed = parseScheduleTables(value);
  if ("schedules" in parsed) return parsed.schedules;
  ctx.addIssue({ code: "custom", message: parsed.error });
  return z.NEVER;
});

function isTable(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
