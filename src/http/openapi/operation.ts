import type { z } from "zod";

/**
 * What the OpenAPI document says about one route. Schemas are the zod schemas the routes
 * validate with (requests) or that describe their answers (response-schemas.ts), so that
 * the document is generated, not written twice.
 */
export interface Operation {
  summary: string;
  description: string;
  tag: "jobs" | "events" | "operations" | "schedules" | "names";
  /** none: open; read: any key; write: a write key; metrics: any key, or none on loopback. */
  access: "none" | "read" | "write" | "metrics";
  /** Path parameters other than a run id (the default), by name. */
  pathParams?: Record<string, { schema: JsonSchema; description: string }>;
  query?: z.ZodObject;
  /** Prose for query parameters, whose ranges live in refinements JSON Schema cannot show. */
  queryNotes?: Record<string, string>;
  body?: {
    /** A zod schema, or a JSON Schema built from one where the route reads more loosely. */
    schema: z.ZodType | ((convert: (schema: z.ZodType) => JsonSchema) => JsonSchema);
    required: boolean;
    description: string;
  };
  headers?: { name: string; description: string }[];
  /** The answer of a success: 200, with `description`, unless `statuses` says otherwise. */
  ok: {
    description: string;
    json?: z.ZodType;
    /** A non-JSON answer: its content type. */
    contentType?: string;
    /** The success statuses, each with what it means on this route, when 200 is not all. */
    statuses?: Record<number, string>;
  };
  /**
   * Error statuses beyond the ones access and body imply (401, 403, 400, 413, 503), each
   * with what it means on this route ("No such run.", "No schedule for this name.").
   */
  errors?: Record<number, string>;
}

export type JsonSchema = Record<string, unknown>;
