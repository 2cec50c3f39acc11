import { z } from "zod";
import type { JsonSchema } from "./operation.ts";

const SAFE_INT = Number.MAX_SAFE_INTEGER;

/**
 * Turns zod schemas into the JSON Schema (draft 2020-12) of OpenAPI 3.1. Schemas with a
 * `.meta({ id })` become shared components and are referenced; the rest is inlined.
 */
export class SchemaConverter {
  readonly components: Record<string, JsonSchema> = {};

  convert(schema: z.ZodType, io: "input" | "output" = "output"): JsonSchema {
    const json = z.toJSONSchema(schema, {
      target: "draft-2020-12",
      io,
      unrepresentable: "any",
      override: (ctx) => tidy(ctx.jsonSchema as JsonSchema),
    }) as JsonSchema;
    delete json.$schema;

    const defs = (json.$defs ?? {}) as Record<string, JsonSchema>;
    delete json.$defs;
    for (const [id, def] of Object.entries(defs)) this.components[id] = relink(def);
    return relink(json);
  }
}

/** Drops what only adds noise: the safe-integer bounds and the regex behind date-time. */
function tidy(json: JsonSchema): void {
  if (json.minimum === -SAFE_INT) delete json.minimum;
  if (json.maximum === SAFE_INT) delete json.maximum;
  if (json.format === "date-time") delete json.pattern;
}

function relink(json: JsonSchema): JsonSchema {
  const text = JSON.stringify(json).replaceAll('"#/$defs/', '"#/components/schemas/');
  return JSON.parse(text) as JsonSchema;
}
