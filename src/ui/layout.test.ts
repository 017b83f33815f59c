import { describe, expect, it } from "vitest";
import { frameBudget, planLayout, type Layout, type SectionSpec } from "./layout.js";

const total = (layout: Layout) => Object.values(layout).reduce((a, b) => a + b, 0);

// the shapes of the real sections at 4 CPUs (title 1, status 1, counters 1|7|8, drift 1|2, …)
const specs: SectionSpec[] = [
  { id: "title", heights: [1], required: true },
  { id: "status", heights: [1], required: true },
  { id: "counters", heights: [1, 7, 8], required: true },
  { id: "drift", heights: [1, 2], required: true },
  { id: "target", heights: [1] },
  { id: "backendNote", heights: [1] },
  { id: "residue", heights: [2, 5] },
  { id: "bound", heights: [1, 3] },
  { id: "readers", heights: [1, 5] },
  { id: "machine", heights: [1] },
  { id: "era", heights: [1] },
  { id: "explanation", heights: [3, 6, 8] },
];

describe("planLayout", () => {
  it("leaves the last row for the cursor", () => {
    expect(frameBudget(24)).toBe(23);
  });

  it("fits every terminal from 20 rows up, with title, counters, drift and status always there", () => {
    for (let rows = 20; rows <= 80; rows++) {
      const layout = planLayout(rows, specs);
      expect(total(layout), `rows ${rows}`).toBeLessThanOrEqual(rows - 1);
      for (const id of ["title", "status", "counters", "drift"] as const) expect(layout[id], `${id} at ${rows}`).toBeGreaterThan(0);
    }
  });

  it("at 80×24 gives the sections their tallest height in priority order until the lines run out", () => {
    const layout = planLayout(24, specs);
    // 1+1+8+2 = 12, target 13, note 14, residue 19, bound 22, readers (1) 23: full
    expect(layout).toMatchObject({
      title: 1,
      status: 1,
      counters: 8,
      drift: 2,
      target: 1,
      backendNote: 1,
      residue: 5,
      bound: 3,
      readers: 1,
    });
    expect(layout).toMatchObject({ machine: 0, era: 0, explanation: 0 });
    expect(total(layout)).toBe(23);
  });

  it("shows everything at its tallest when there is room", () => {
    const layout = planLayout(60, specs);
    expect(layout).toMatchObject({ counters: 8, drift: 2, residue: 5, bound: 3, readers: 5, machine: 1, era: 1, explanation: 8 });
  });

  it("keeps the lines of the required sections back for them: the status line survives a greedy counters table", () => {
    const late: SectionSpec[] = [
      { id: "title", heights: [1], required: true },
      { id: "counters", heights: [1, 8], required: true },
      { id: "residue", heights: [2, 6] },
      { id: "status", heights: [1], required: true },
    ];
    // budget 9: title 1, counters 8 would leave nothing for the status line, so counters get 1
    expect(planLayout(10, late)).toMatchObject({ title: 1, counters: 1, residue: 6, status: 1 });
  });

  it("keeps the line of an early section back before an earlier section grows, while it fits", () => {
    const withEarly: SectionSpec[] = [
      { id: "title", heights: [1], required: true },
      { id: "drift", heights: [1, 2], required: true },
      { id: "target", heights: [1], early: true },
      { id: "backendNote", heights: [1], early: true },
    ];
    expect(planLayout(5, withEarly)).toMatchObject({ title: 1, drift: 1, target: 1, backendNote: 1 });
    expect(planLayout(6, withEarly)).toMatchObject({ drift: 2, target: 1, backendNote: 1 });
    // no room for both early lines: the lower one goes
    expect(planLayout(4, withEarly)).toMatchObject({ title: 1, drift: 1, target: 1, backendNote: 0 });
    expect(planLayout(3, withEarly)).toMatchObject({ title: 1, drift: 1, target: 0, backendNote: 0 });
  });

  it("grows a section that reached its tallest by the lines left, up to its limit, in order", () => {
    const wide: SectionSpec[] = specs.map((s) => (s.id === "residue" ? { ...s, heights: [2, 6, 8] } : s));
    const layout = planLayout(60, wide, [{ id: "residue", max: 100 }]);
    // every section at its tallest takes 40 lines, residue 8 of them; it grows by the other 19
    expect(layout.residue).toBe(27);
    expect(total(layout)).toBe(59);
    expect(planLayout(60, wide, [{ id: "residue", max: 3 }]).residue).toBe(11);
    // not at its tallest: no growth (it could not draw the grown list)
    const cramped = planLayout(18, wide, [{ id: "residue", max: 100 }]);
    expect(cramped.residue).toBeLessThan(8);
    expect(total(cramped)).toBeLessThanOrEqual(17);
  });

  it("cuts from the lowest priority up when the required sections alone do not fit", () => {
    const layout = planLayout(4, specs);
    expect(total(layout)).toBe(3);
    expect(layout.title).toBe(1);
    expect(layout.status).toBe(1);
    expect(layout.counters).toBe(1);
    expect(layout.drift).toBe(0);
  });
});
