/**
 * Fits text, escapes included, into exactly `width` columns: cut with "…" when too long,
 * padded with spaces when short. Widths are terminal columns (wide CJK and emoji count 2).
 */
export function fit(text: string, width: number, align: "left" | "right" = "left"): string {
  if (width <= 0) return "";
  const length = Bun.stringWidth(text);
  if (length > width) return Bun.sliceAnsi(text, 0, width, "…");
  const padding = " ".repeat(width - length);
  return align === "left" ? text + padding : padding + text;
}
