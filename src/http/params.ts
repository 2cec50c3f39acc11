import { notFound } from "../domain/errors.ts";

/**
 * A run id from the path. Anything but a positive whole number that fits is simply a run
 * that does not exist: `abc`, `0`, `-1`, `1.5` and twenty digits all answer 404.
 */
export function parseRunId(raw: string): number {
  if (/^[1-9]\d{0,15}$/.test(raw)) {
    const id = Number(raw);
    if (Number.isSafeInteger(id)) return id;
  }
  throw notFound(`no job with id ${JSON.stringify(raw).slice(1, -1).slice(0, 40)}`);
}

/**
 * The query's parameters without the empty ones: clients that always send every parameter
 * (`?status=&name=&limit=&before=`) mean "not given" by an empty value, not "the empty name".
 */
export function givenQuery(query: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(query).filter(([, value]) => value !== ""));
}
