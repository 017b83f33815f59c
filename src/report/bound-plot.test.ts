import { describe, expect, it } from "vitest";
import { renderBoundPlot } from "./bound-plot.js";

/** the rows of the plot area, top first, as arrays of characters after the y axis */
function plotArea(plot: string): string[][] {
  return plot
    .split("\n")
    .filter((line) => /[┤│]/.test(line))
    .map((line) => [...line.slice(line.search(/[┤│]/) + 1)]);
}

/** the height of the curve in the given column, 0 (bottom) to 1 (top) */
function heightAt(area: string[][], column: number): number {
  const row = area.findIndex((cells) => cells[column] === "•");
  return (area.length - 1 - row) / (area.length - 1);
}

describe("renderBoundPlot", () => {
  it("draws the percpu bound as a quadratic: half the CPUs, a quarter of the bound", () => {
    const plot = renderBoundPlot({ era: "percpu", pageSize: 4096, xMax: 256, mark: null });
    const area = plotArea(plot);
    const width = Math.max(...area.map((cells) => cells.length));
    // docs/how-rss-is-counted.md: 128 CPUs → 32 640 pages, 256 CPUs → 130 816 pages: 0.25 of the top
    expect(heightAt(area, Math.round((width - 1) / 2))).toBeCloseTo(32640 / 130816, 1);
    expect(heightAt(area, width - 1)).toBe(1);
    expect(plot).toContain("511 MiB ┤");
  });

  it("draws the split-rss bound as a line in the thread count", () => {
    const area = plotArea(renderBoundPlot({ era: "split-rss", pageSize: 4096, xMax: 64, mark: null }));
    const width = Math.max(...area.map((cells) => cells.length));
    expect(heightAt(area, Math.round((width - 1) / 2))).toBeCloseTo(0.5, 1);
  });

  it("marks a CPU count under its column, and fits 80 columns", () => {
    const plot = renderBoundPlot({ era: "percpu", pageSize: 4096, xMax: 256, mark: { x: 128, label: "this machine: 128 CPUs" } });
    const lines = plot.split("\n");
    const markLine = lines.find((line) => line.includes("▲"))!;
    const markColumn = [...markLine].indexOf("▲");
    const dotted = lines.filter((line) => [...line][markColumn] === "┊");
    expect(dotted.length).toBeGreaterThan(0);
    expect(markLine).toContain("this machine: 128 CPUs");
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(80);
  });

  it("puts a mark near the right edge's label on its left", () => {
    const plot = renderBoundPlot({ era: "percpu", pageSize: 4096, xMax: 256, mark: { x: 256, label: "this machine: 256 CPUs" } });
    expect(plot).toContain("this machine: 256 CPUs ▲");
    for (const line of plot.split("\n")) expect([...line].length).toBeLessThanOrEqual(80);
  });
});
