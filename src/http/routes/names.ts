import { Hono } from "hono";
import { validate } from "../body.ts";
import { nameToJson } from "../schedule-json.ts";
import { listNamesQuery } from "../schedule-schemas.ts";
import { required, type ScheduleDependencies } from "./schedules.ts";

/**
 * `GET /api/names`: one row per job name (from its runs or its schedule), in byte order of
 * the name, a page at a time: pass `next` as `after` for the following page.
 */
export function nameRoutes(deps: ScheduleDependencies | undefined): Hono {
  const app = new Hono({ strict: false });

  app.get("/", (c) => {
    const query = validate(listNamesQuery, c.req.query());
    const { names, clock } = required(deps);
    const rows = names.page(clock.now(), { after: query.after, limit: query.limit });
    const next = rows.length === query.limit ? rows[rows.length - 1]!.name : null;
    return c.json({ status: "ok", names: rows.map(nameToJson), next });
  });

  return app;
}
