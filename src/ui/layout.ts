// Which sections of the live view get how many lines, so that the whole frame fits the terminal.
// Pure: the App describes each section's possible heights, in priority order, and this decides.
// Ink redraws in place only while the frame is shorter than the terminal; a taller frame scrolls
// its top into the scrollback on every sample, so the frame gets at most rows − 1 lines (the
// cursor rests on the last one).

export type SectionId =
  | "title"
  | "status"
  | "counters"
  | "drift"
  | "message"
  | "target"
  | "backendNote"
  | "residue"
  | "bound"
  | "machine"
  | "era"
  | "readers"
  | "explanation";

export interface SectionSpec {
  id: SectionId;
  /**
   * The heights the section can be drawn at, smallest first; every one is a complete rendering
   * (e.g. counters: [1] the RSS line alone, [7] the table, [8] the table and its legend).
   * Empty: only `grow` lines, if any are left.
   */
  heights: number[];
  /** always shown at least at heights[0], even when the terminal is too small for the rest */
  required?: boolean;
  /**
   * one line that matters more than the taller forms of the sections before it (the sample
   * number, the backend note): kept back for at its smallest, like a required section, while
   * the terminal has room for it
   */
  early?: boolean;
}

/** lines a section can take once every section has its best height, in this order; only a
 * section drawn at its tallest height grows */
export interface GrowSpec {
  id: SectionId;
  /** at most this many more lines */
  max: number;
}

/** lines per section; 0 for a section left out */
export type Layout = Record<SectionId, number>;

/** the frame's height budget on a terminal of `rows` rows */
export function frameBudget(rows: number): number {
  return Math.max(1, rows - 1);
}

function emptyLayout(): Layout {
  return {
    title: 0,
    status: 0,
    counters: 0,
    drift: 0,
    message: 0,
    target: 0,
    backendNote: 0,
    residue: 0,
    bound: 0,
    machine: 0,
    era: 0,
    readers: 0,
    explanation: 0,
  };
}

/**
 * Sections in priority order each take the tallest of their heights that fits, keeping back the
 * smallest height of every required or early section still to come (title, counters, drift
 * line, status; the sample number); a section that fits at none of its heights is left out.
 * Early sections that do not fit beside the required ones are dropped, lowest priority first. Then the lines left go to the
 * growable sections (the residue list) that reached their tallest height, in order.
 * If even the required sections do not fit (a terminal under 20 rows), they are cut from the
 * lowest priority up, so the frame never exceeds the budget; the title is the last to go.
 */
export function planLayout(rows: number, specs: readonly SectionSpec[], grow: readonly GrowSpec[] = []): Layout {
  const budget = frameBudget(rows);
  const layout = emptyLayout();
  const required = (spec: SectionSpec) => (spec.required ? (spec.heights[0] ?? 0) : 0);
  let reserved = specs.reduce((sum, spec) => sum + required(spec), 0);
  const early = new Set<SectionId>();
  for (const spec of specs) {
    const height = spec.heights[0] ?? 0;
    if (spec.early && !spec.required && height > 0 && reserved + height <= budget) {
      early.add(spec.id);
      reserved += height;
    }
  }
  const smallest = (spec: SectionSpec) => (spec.required || early.has(spec.id) ? (spec.heights[0] ?? 0) : 0);
  if (reserved > budget) {
    let over = reserved - budget;
    for (const spec of specs) layout[spec.id] = smallest(spec);
    for (const spec of [...specs].reverse()) {
      const cut = Math.min(over, layout[spec.id]);
      layout[spec.id] -= cut;
      over -= cut;
    }
    return layout;
  }
  let used = 0;
  for (const spec of specs) {
    reserved -= smallest(spec);
    const tallest = spec.heights.filter((h) => used + h + reserved <= budget).at(-1);
    if (tallest === undefined) continue;
    layout[spec.id] = tallest;
    used += tallest;
  }
  for (const { id, max } of grow) {
    const spec = specs.find((s) => s.id === id);
    if (!spec || layout[id] === 0 || layout[id] !== spec.heights.at(-1)) continue;
    const more = Math.min(max, budget - used);
    if (more > 0) {
      layout[id] += more;
      used += more;
    }
  }
  return layout;
}
