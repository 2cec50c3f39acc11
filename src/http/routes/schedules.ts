import { Hono } from "hono";
import type { Clock } from "../../domain/clock.ts";
import { badRequest, unavailable } from "../../domain/errors.ts";
import type { NameView } from "../../schedules/name-view.ts";
import type { Schedule } from "../../schedules/schedule.ts";
import type { ScheduleService } from "../../schedules/schedule-service.ts";
import { nameProblem, specOf } from "../../schedules/spec.ts";
import { readBody } from "../body.ts";
import { putScheduleBody } from "../schedule-schemas.ts";
import { scheduleToJson } from "../schedule-json.ts";

/** What the schedule and names routes need; an app built without it still lists them. */
export interface ScheduleDependencies {
  service: ScheduleService;
  names: NameView;
  clock: Clock;
}

/** The dependencies, or 503 for an app built without them (only tests build one). */
export function required(deps: ScheduleDependencies | undefined): ScheduleDependencies {
  if (!deps) throw unavailable("schedules are not set up in this server");
  return deps;
}

/**
 * The schedule routes, mounted under `/api/schedules`. A schedule belongs to a job name,
 * the last part of the path (URL-encoded when it has spaces or slashes). Handlers only
 * validate, call the schedule service and answer.
 */
export function scheduleRoutes(deps: ScheduleDependencies | undefined): Hono {
  const app = new Hono({ strict: false });
  const toJson = (schedule: Schedule) =>
    scheduleToJson(schedule, required(deps).service.current(schedule));

  app.get("/", (c) => {
    const schedules = required(deps).service.list();
    return c.json({ status: "ok", schedules: schedules.map(toJson) });
  });

  app.get("/:name", (c) => {
    const schedule = required(deps).service.get(nameOf(c.req.param("name"), c.req.url));
    return c.json({ status: "ok", schedule: toJson(schedule) });
  });

  app.put("/:name", async (c) => {
    const name = nameOf(c.req.param("name"), c.req.url);
    const spec = specOf(await readBody(c, putScheduleBody));
    if ("error" in spec) throw badRequest(spec.error);
    const { schedule, created } = await required(deps).service.put(name, spec);
    return c.json({ status: "ok", schedule: toJson(schedule) }, created ? 201 : 200);
  });

  app.delete("/:name", async (c) => {
    await required(deps).service.remove(nameOf(c.req.param("name"), c.req.url));
    return c.json({ status: "ok" });
  });

  return app;
}

/**
 * The job name from the path, held to the rules of run names. Hono hands a segment it
 * cannot decode (`%ZZ`, or bytes that are not UTF-8 such as `%ED%A0%80`) over as written,
 * which would name a schedule after its own escapes; such a path is refused instead.
 */
function nameOf(raw: string, url: string): string {
  const segment = new URL(url).pathname.replace(/\/+$/, "").split("/").at(-1) ?? "";
  try {
    decodeURIComponent(segment);
  } catch {
    throw badRequest("the name in the path is not valid percent-encoded UTF-8");
  }
  const problem = nameProblem(raw);
  if (problem) throw badRequest(problem);
  return raw;
}
