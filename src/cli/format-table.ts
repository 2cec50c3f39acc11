/**
 * Plain aligned columns for terminal output, with a header row. Widths are terminal columns,
 * so a name in CJK or with emoji (two columns a character) does not push the next column.
 */
export function formatTable(headers: string[], rows: string[][]): string {
  const width = (text: string) => Bun.stringWidth(text);
  const widths = headers.map((h, i) => Math.max(width(h), ...rows.map((r) => width(r[i] ?? ""))));
  const pad = (cell: string, i: number) => cell + " ".repeat(widths[i]! - width(cell));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : pad(cell, i)))
      .join("  ")
      .trimEnd();
  return [line(headers), ...rows.map(line)].join("\n") + "\n";
}
