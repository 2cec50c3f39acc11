import { describe, expect, test } from "bun:test";
import { formatTable } from "../src/cli/format-table.ts";
import { fit } from "../tui/format/fit.ts";

const width = (text: string) => Bun.stringWidth(text);

describe("fitting text to terminal columns", () => {
  test("a cut through a wide character still gives exactly the width", () => {
    for (const text of ["日本語のジョブ名", "ab日本語", "📦📦📦📦", "x📦y📦z"]) {
      for (let columns = 1; columns <= 8; columns++) {
        expect({ text, columns, width: width(fit(text, columns)) }).toEqual({
          text,
          columns,
          width: columns,
        });
      }
    }
    expect(fit("日本語", 4)).toBe("日… ");
    expect(fit("日本語", 4, "right")).toBe(" 日…");
  });

  test("short text is padded, text that fits is kept whole", () => {
    expect(fit("abc", 5)).toBe("abc  ");
    expect(fit("日本", 4)).toBe("日本");
    expect(fit("abc", 0)).toBe("");
  });
});

describe("plain tables", () => {
  test("columns line up by terminal width, wide names included", () => {
    const text = formatTable(
      ["ID", "NAME", "STATUS"],
      [
        ["1", "日本語のジョブ", "failed"],
        ["2", "backup", "completed"],
      ],
    );
    const statusColumns = text
      .trimEnd()
      .split("\n")
      .map((line) => width(line.slice(0, line.search(/(STATUS|failed|completed)$/))));
    expect(new Set(statusColumns).size).toBe(1);
  });
});
