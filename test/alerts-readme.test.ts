import { describe, expect, test } from "bun:test";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CHANNEL_TYPES } from "../src/alerts/config.ts";
import { testPayload } from "../src/alerts/test-alert.ts";
import { TRIGGER_NAMES } from "../src/alerts/triggers.ts";
import { loadConfigFile } from "../src/config/config-file.ts";
import { REPO_ROOT } from "./helpers/binary.ts";
import { makeTempDir } from "./helpers/temp-dir.ts";

/** The README's `## Alerts` section, up to the next section of the same level. */
function alertsSection(): string {
  const readme = readFileSync(join(REPO_ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Alerts\n");
  expect(start).toBeGreaterThan(0);
  const end = readme.indexOf("\n## ", start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

describe("the README's Alerts section", () => {
  test("its example file is valid and has one channel of every type", () => {
    const blocks = [...alertsSection().matchAll(/```toml\n([\s\S]*?)```/g)].map((m) => m[1]!);
    expect(blocks.length).toBe(1);
    const dir = makeTempDir();
    try {
      const path = join(dir.path, "statusbox.toml");
      writeFileSync(path, blocks[0]!);
      const channels = loadConfigFile(path).alerts ?? [];
      expect(channels.map((c) => c.type).sort()).toEqual([...CHANNEL_TYPES].sort());
    } finally {
      dir.cleanup();
    }
  });

  test("the error it shows is the one config check prints", () => {
    const dir = makeTempDir();
    try {
      const path = join(dir.path, "statusbox.toml");
      writeFileSync(
        path,
        `[[alerts]]\nname = "a"\ntype = "slack"\nurl = "https://x/"\n` +
          `[[alerts]]\nname = "b"\ntype = "slack"\nurl = "https://x/"\non = ["failure"]\n`,
      );
      const error = (() => {
        try {
          loadConfigFile(path);
        } catch (caught) {
          return (caught as Error).message.replace(path, "statusbox.toml");
        }
        return "";
      })();
      // The README shortens the list of known triggers, which grows with the features.
      const shown = error.slice(0, error.indexOf("(known: ") + "(known: ".length);
      expect(shown).toEndWith("unknown trigger 'failure' (known: ");
      expect(alertsSection()).toContain(`statusbox config check: ${shown}failed, ...)`);
    } finally {
      dir.cleanup();
    }
  });

  test("its triggers table lists every trigger an alert can carry, the test one included", () => {
    const section = alertsSection();
    const table = section.slice(
      section.indexOf("### Triggers"),
      section.indexOf("\n\n", section.indexOf("| trigger |")),
    );
    const listed = [...table.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]!);
    const sent = [...TRIGGER_NAMES, testPayload("any", 0).trigger];
    expect(listed.sort()).toEqual(sent.sort());
  });
});
