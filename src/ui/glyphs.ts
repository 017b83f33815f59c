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
  return values.map((value) => SPARK_LEVELS[max === min ? 0 : Math.round(((value - min) / (max - min)) * top)]).join("");
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
    const fill = over ? `${"█".repeat(half - 1)}▶` : "█".repeat(cells);
    return { left: empty, right: fill.padEnd(half) };
  }
  const fill = over ? `◀${"█".repeat(half - 1)}` : "█".repeat(cells);
  return { left: fill.padStart(half), right: empty };
}

/** a horizontal gauge of `width` cells for a fraction of a whole; beyond 1 it ends in "▶" */
export function gauge(fraction: number, width: number): string {
  if (width <= 0) return "";
  if (fraction > 1) return `${"█".repeat(width - 1)}▶`;
  const filled = Math.round(Math.max(0, fraction) * width);
  return "█".repeat(filled) + "░".repeat(width - filled);
}

/** the heat map's magnitude ramp: up to ¼, ½, ¾ and the whole of the scale (or beyond) */
export const HEAT_RAMP = "░▒▓█";
/** without colour a negative slot needs its own characters: the same four steps */
export const HEAT_RAMP_NEGATIVE_PLAIN = "-=≡#";
/** a slot holding nothing */
export const HEAT_ZERO = "·";

/** 0 for an empty slot, else 1–4: a quarter of the scale per step, any residue at least 1 */
export function heatLevel(heat: number): number {
  if (heat === 0) return 0;
  return Math.min(HEAT_RAMP.length, Math.max(1, Math.ceil(Math.abs(heat) * HEAT_RAMP.length)));
}

/** one heat-map cell: the magnitude's step; negative slots in their own characters when `plain` */
export function heatCell(heat: number, plain: boolean): string {
  const level = heatLevel(heat);
  if (level === 0) return HEAT_ZERO;
  return (heat < 0 && plain ? HEAT_RAMP_NEGATIVE_PLAIN : HEAT_RAMP)[level - 1]!;
}
