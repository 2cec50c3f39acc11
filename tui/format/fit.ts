/**
 * Fits text, escapes included, into exactly `width` columns: cut with "…" when too long,
 * padded with spaces when short. Widths are terminal columns (wide CJK and emoji count 2).
 */
export function fit(text: string, width: number, align: "left" | "right" = "left"): string {
  if (width <= 0) return "";
  let fitted = text;
  // A cut may end on a wide character that straddles the last column (Bun keeps it whole),
  // so cut one column shorter until the result fits; the padding below fills the gap.
  for (let cut = width; Bun.stringWidth(fitted) > width && cut > 0; cut--) {
    fitted = Bun.sliceAnsi(text, 0, cut, "…");
  }
  if (Bun.stringWidth(fitted) > width) fitted = "…".repeat(Math.min(width, 1));
  const padding = " ".repeat(width - Bun.stringWidth(fitted));
  return align === "left" ? fitted + padding : padding + fitted;
}
