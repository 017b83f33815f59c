import { describe, expect, it } from "vitest";
import { defaultSort, heatMapShape, residueHeights, scrolled } from "./residue-view.js";

describe("heatMapShape", () => {
  it("fits 256 CPUs in a few rows: 4 of 64 at 80 columns, 2 of 128 at 200, 6 of 48 at 60", () => {
    expect(heatMapShape(256, 3, 80)).toEqual({ perRow: 64, rows: 4, labelWidth: 4 });
    expect(heatMapShape(256, 3, 200)).toEqual({ perRow: 128, rows: 2, labelWidth: 4 });
    expect(heatMapShape(256, 3, 60)).toEqual({ perRow: 48, rows: 6, labelWidth: 4 });
  });
  it("never draws a row wider than the terminal: label, cells and a space between groups of 8", () => {
    for (const count of [9, 16, 100, 128, 256, 1024]) {
      for (let width = 20; width <= 250; width++) {
        const { perRow, labelWidth } = heatMapShape(count, String(count - 1).length, width);
        expect(labelWidth + perRow + Math.ceil(perRow / 8) - 1).toBeLessThanOrEqual(width);
      }
    }
  });
  it("puts 16 CPUs on one row", () => {
    expect(heatMapShape(16, 2, 80)).toMatchObject({ perRow: 16, rows: 1 });
  });
});

describe("the residue list", () => {
  it("starts by id while every slot is listed, else largest first", () => {
    expect(defaultSort(4)).toBe("slot");
    expect(defaultSort(16)).toBe("magnitude");
  });
  it("offers two lines, the whole short list, or map + legend + 2 or 8 rows and growth", () => {
    const model = (n: number) => ({
      kind: "cpu" as const,
      slots: Array.from({ length: n }, (_, slot) => ({ slot, pages: 0, bytes: 0, heat: 0, fractionOfBatch: 0, breakdown: "" })),
      holding: 0,
      scale: 31,
      idWidth: String(n - 1).length,
    });
    expect(residueHeights(model(4), 80)).toEqual({ heights: [2, 5], grow: 0 });
    expect(residueHeights(model(256), 80)).toEqual({ heights: [2, 8, 14], grow: 248 });
    expect(residueHeights(null, 80)).toEqual({ heights: [2], grow: 0 });
  });
  it("scrolls within the list", () => {
    expect(scrolled(0, -1, 256, 10)).toBe(0);
    expect(scrolled(0, 10, 256, 10)).toBe(10);
    expect(scrolled(240, 10, 256, 10)).toBe(246);
    expect(scrolled(0, 256, 256, 10)).toBe(246);
  });
});
