// How every renderer writes a quantity, so a figure reads the same in the report, the Markdown,
// the TUI and `rssdrift bound`: bytes in binary units (KiB = 1024 B, like the kernel's kB),
// pages, signed drifts, percentages and counts of things.

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"] as const;

/**
 * Bytes in the largest unit that shows at least "1", with one decimal at most, e.g. "128 KiB",
 * "127.5 MiB". A value that rounding changed gets "≈": 248 pages of 4 KiB (0.97 MiB) → "≈1 MiB".
 */
export function formatBytes(bytes: number): string {
  return withSign(bytes, bytes < 0 ? "-" : "");
}

/** A drift: "+128 KiB", "-44 KiB", "≈+8.2 MiB", "0 B". */
export function formatSignedBytes(bytes: number): string {
  return withSign(bytes, bytes > 0 ? "+" : bytes < 0 ? "-" : "");
}

function withSign(bytes: number, sign: string): string {
  const magnitude = Math.abs(bytes);
  let unit = 0;
  // 0.95 of the next unit already rounds to "1" in it: prefer "≈1 MiB" to "992 KiB"
  while (unit < UNITS.length - 1 && magnitude / 1024 ** (unit + 1) >= 0.95) unit += 1;
  const value = magnitude / 1024 ** unit;
  const rounded = Math.round(value * 10) / 10;
  const text = Number.isInteger(rounded) ? String(rounded) : rounded.toFixed(1);
  return `${rounded === value ? "" : "≈"}${sign}${text} ${UNITS[unit]}`;
}

/** A count with its noun, singular for ±1: "1 CPU", "4 CPUs", "5 threads". */
export function countOf(count: number, singular: string, plural = `${singular}s`): string {
  return `${count} ${Math.abs(count) === 1 ? singular : plural}`;
}

/** A page count with its unit: "1 page", "248 pages". */
export function formatPages(pages: number): string {
  return countOf(pages, "page");
}

/** A page count and its bytes: "248 pages (≈1 MiB)". */
export function pagesAndBytes(pages: number, pageSize: number): string {
  return `${formatPages(pages)} (${formatBytes(pages * pageSize)})`;
}

/** A signed page count: "+42", "-11", "0". */
export function formatSignedPages(pages: number): string {
  return pages > 0 ? `+${pages}` : String(pages);
}

/** A fraction as a whole percentage: 0.581 → "58%"; null (no bound) → "–". */
export function formatPercent(fraction: number | null): string {
  return fraction === null ? "–" : `${Math.round(fraction * 100)}%`;
}
