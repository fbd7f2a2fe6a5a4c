import type { ReactNode } from "react";
import type { TagRef } from "../types/task";

/** Black or white text, whichever reads better on the tag's colour. */
export function textOn(color: string): string {
  const hex = /^#([0-9a-f]{6})$/i.exec(color)?.[1];
  if (!hex) return "#000";
  const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((c) =>
    c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4,
  );
  const luminance = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return luminance > 0.179 ? "#000" : "#fff";
}

export function TagBadge({ tag, children }: { tag: TagRef; children?: ReactNode }) {
  return (
    <span
      className="badge rounded-pill d-inline-flex align-items-center gap-1 text-break"
      style={{ backgroundColor: tag.color, color: textOn(tag.color), whiteSpace: "normal" }}
      data-testid="tag-badge"
    >
      {tag.name}
      {children}
    </span>
  );
}
