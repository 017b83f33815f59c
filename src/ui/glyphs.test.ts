import { describe, expect, it } from "vitest";
import { gauge, signedBar, sparkline } from "./glyphs.js";

describe("sparkline", () => {
  it("spreads the values over the eight block heights, lowest to highest", () => {
    expect(sparkline([0, 2, 4, 6, 8, 10, 12, 14])).toBe("▁▂▃▄▅▆▇█");
  });
  it("draws a step as a jump between two levels, and a flat history flat", () => {
    expect(sparkline([14, 14, 41, 41])).toBe("▁▁██");
    expect(sparkline([5, 5, 5])).toBe("▁▁▁");
    expect(sparkline([])).toBe("");
  });
  it("handles negative drift like any other value", () => {
    expect(sparkline([-7, 0, 7])).toBe("▁▅█");
  });
});

describe("signedBar", () => {
  it("fills the right side for a positive slot, in proportion to the scale", () => {
    expect(signedBar(31, 31, 16)).toEqual({ left: " ".repeat(16), right: "█".repeat(16) });
    // 8 of 16 pages on an 8-cell side: 4 cells
    expect(signedBar(8, 16, 8)).toEqual({ left: " ".repeat(8), right: "████    " });
  });
  it("fills the left side, from the axis, for a negative slot", () => {
    expect(signedBar(-8, 16, 8)).toEqual({ left: "    ████", right: " ".repeat(8) });
  });
  it("gives a small non-zero slot one cell and marks a value beyond the scale with an arrow", () => {
    expect(signedBar(1, 31, 8).right).toBe("█       ");
    expect(signedBar(52, 31, 8).right).toBe("███████▶");
    expect(signedBar(-52, 31, 8).left).toBe("◀███████");
    expect(signedBar(0, 31, 4)).toEqual({ left: "    ", right: "    " });
  });
});

describe("gauge", () => {
  it("fills a fraction of its cells and ends in an arrow past the whole", () => {
    expect(gauge(0.25, 8)).toBe("██░░░░░░");
    expect(gauge(0, 4)).toBe("░░░░");
    expect(gauge(1, 4)).toBe("████");
    expect(gauge(1.5, 5)).toBe("████▶");
  });
});
