// The drawing primitives of the live view, as pure functions of numbers to text: a sparkline,
// a signed bar around an axis, and a gauge. Kept apart from the components so they can be
// checked cell by cell.

const SPARK_LEVELS = "▁▂▃▄▅▆▇█";

/** one cell per value, scaled between the smallest and the largest value shown */
export function sparkline(values: readonly number[]): string {
  if (values.length === 0) return "";
  const min = Math.min(...values);
  const max = Math.max(...values);
  const top = SPARK_LEVELS.length - 1;
  return values
    .map((value) => SPARK_LEVELS[max === min ? 0 : Math.round(((value - min) / (max - min)) * top)])
    .join("");
}

export interface SignedBar {
  /** `half` cells, filled from the right edge (the axis) leftwards for a negative value */
  left: string;
  /** `half` cells, filled from the axis rightwards for a positive value */
  right: string;
}

/**
 * A value drawn on one side of an axis: negative to the left, positive to the right, `scale`
 * filling one side. A value beyond the scale fills its side and ends in an arrow; a non-zero
 * value always gets at least one cell, so no residue is invisible.
 */
export function signedBar(value: number, scale: number, half: number): SignedBar {
  const empty = " ".repeat(half);
  if (value === 0 || half <= 0) return { left: empty, right: empty };
  const over = Math.abs(value) > scale;
  const cells = over ? half : Math.max(1, Math.round((Math.abs(value) / scale) * half));
  if (value > 0) {
    const fill = over ? "█".repeat(half - 1) + "▶" : "█".repeat(cells);
    return { left: empty, right: fill.padEnd(half) };
  }
  const fill = over ? "◀" + "█".repeat(half - 1) : "█".repeat(cells);
  return { left: fill.padStart(half), right: empty };
}

/** a horizontal gauge of `width` cells for a fraction of a whole; beyond 1 it ends in "▶" */
export function gauge(fraction: number, width: number): string {
  if (width <= 0) return "";
  if (fraction > 1) return "█".repeat(width - 1) + "▶";
  const filled = Math.round(Math.max(0, fraction) * width);
  return "█".repeat(filled) + "░".repeat(width - filled);
}
