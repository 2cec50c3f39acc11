import { expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { SCHEMA_VERSION } from "../src/storage/migrations.ts";
import { REPO_ROOT } from "./helpers/binary.ts";

const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");

test("the README's backup sample shows the current schema version", () => {
  const shown = [...readme.matchAll(/# Backed up .* schema version (\d+);/g)].map((m) => m[1]);
  expect(shown).toEqual([String(SCHEMA_VERSION)]);
});
