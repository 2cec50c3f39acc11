import { Hono } from "hono";
import { validate } from "../body.ts";
import { givenQuery } from "../params.ts";
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
    const query = validate(listNamesQuery, givenQuery(c.req.query()));
    const { names, clock } = required(deps);
    // One name more than the page says whether there is a next page; only the page's names
    // get their figures, which cost a few index seeks each.
    const found = names.list(query.after ?? "", query.limit + 1);
    const page = found.slice(0, query.limit);
    const next = found.length > query.limit ? page[page.length - 1]! : null;
    const now = clock.now();
    return c.json({
      status: "ok",
      names: page.map((name) => nameToJson(names.row(name, now))),
      next,
    });
  });

  return app;
}
