// Plain-text layout: aligned columns and wrapped paragraphs, measured before any colour is added.

export type Align = "left" | "right";

/** Pads every cell to its column's width, so callers can colour cells and join them. */
export function padColumns(rows: readonly (readonly string[])[], aligns: readonly Align[]): string[][] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, [...cell].length);
  }
  return rows.map((row) =>
    row.map((cell, i) => {
      const pad = " ".repeat(widths[i]! - [...cell].length);
      return aligns[i] === "right" ? pad + cell : cell + pad;
    }),
  );
}

/** a byte unit stays on the line of its number: "496 KiB" never breaks */
const UNIT = /^(B|KiB|MiB|GiB|TiB)(\W|$)/;

function words(text: string): string[] {
  const glued: string[] = [];
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (UNIT.test(word) && glued.length > 0) glued[glued.length - 1] += ` ${word}`;
    else glued.push(word);
  }
  return glued;
}

/** Greedy word wrap to `width` columns, each line starting with `indent`. */
export function wrap(text: string, width: number, indent = ""): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const word of words(text)) {
    const candidate = line === indent ? line + word : `${line} ${word}`;
    if ([...candidate].length > width && line !== indent) {
      lines.push(line);
      line = indent + word;
    } else {
      line = candidate;
    }
  }
  if (line !== indent) lines.push(line);
  return lines;
}
