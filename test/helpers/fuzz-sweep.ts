import type { FuzzRequest, FuzzWorld } from "./fuzz-target.ts";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "PROPFIND"];
const BODIES = [null, "{}", "{", '{"name":"fuzz","timeoutSeconds":5}'];

/**
 * Every method on every route of `world`, with each kind of key (write, read-only, revoked,
 * bare scheme, none) and a few bodies from empty to valid: the combinations that random
 * cases would reach only by luck.
 */
export function everyMethodOnEveryRoute(world: FuzzWorld): FuzzRequest[] {
  const { write, read, revoked } = world.keys;
  const keys = [`ApiKey ${write}`, `ApiKey ${read}`, `ApiKey ${revoked}`, "ApiKey", null];
  const requests: FuzzRequest[] = [];
  for (const route of world.routes) {
    const path = route.path.replace(/\{[^}]+\}/g, String(world.runIds[0]));
    for (const method of METHODS) {
      for (const key of keys) {
        for (const body of method === "GET" || method === "HEAD" ? [null] : BODIES) {
          const headers: [string, string][] = key === null ? [] : [["authorization", key]];
          requests.push({ method, path, headers, body });
        }
      }
    }
  }
  return requests;
}
