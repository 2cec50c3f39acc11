import { expect, test } from "bun:test";
import { StatusBoxClient as FromSource } from "../src/client/index.ts";
import { REPO_ROOT } from "./helpers/binary.ts";

test("the client is exported as statusbox/client for programs that depend on the package", async () => {
  expect(Bun.resolveSync("statusbox/client", REPO_ROOT)).toBe(`${REPO_ROOT}/src/client/index.ts`);
  const { StatusBoxClient, StatusBoxApiError } = await import("statusbox/client");
  expect(StatusBoxClient).toBe(FromSource);
  expect(typeof StatusBoxApiError).toBe("function");
});
