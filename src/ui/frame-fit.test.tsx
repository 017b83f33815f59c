// The whole frame fits the terminal, rows and columns, at every size from 60×20 up and every CPU
// count: Ink renders the real App over the real recordings (4 and 16 CPUs from the lab, the
// SYNTHETIC 128 and 256) and the split-rss and procfs shapes, and each frame is measured.
import { readFileSync } from "node:fs";
import { render } from "ink-testing-library";
import { afterEach, describe, expect, it, vi } from "vitest";
import { analyse } from "../analysis/analyse.js";
import type { HelperLine } from "../schema/helper-line.js";
import { parseHelperLine } from "../schema/validate-line.js";
import { explain } from "../vocabulary/explanation.js";
import { frameWhere } from "../../test/fixtures/frames.js";
import { handMadeHello, handMadeSampleLine } from "../../test/fixtures/hand-made-samples.js";
import { pushedSource } from "../../test/fixtures/pushed-source.js";
import { App } from "./App.js";
import { planFrame } from "./frame-plan.js";
import { residueModel } from "./residue-view.js";

vi.setConfig({ testTimeout: 60_000 });

const recording = (name: string): HelperLine[] =>
  readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), "utf8")
    .trim()
    .split("\n")
    .map((line) => parseHelperLine(line));

const threadsHello = handMadeHello({
  era: "split-rss",
  slot_kind: "thread",
  batch: null,
  layout: "struct mm_rss_stat",
  kernel: "6.1.0-40-cloud-amd64",
});
const procfsHello = handMadeHello({ backend: "procfs", drgn: null, batch: null, era: "percpu", era_source: "version", layout: "" });
const procfsSample = { ...handMadeSampleLine(0, undefined, procfsHello), counters: null };

const SHAPES: [string, () => HelperLine[]][] = [
  ["4 CPUs (lab)", () => recording("lab-6.12-4cpu.jsonl")],
  ["16 CPUs (lab)", () => recording("lab-6.12-16cpu.jsonl")],
  ["128 CPUs (synthetic)", () => recording("synthetic-128cpu.jsonl")],
  ["256 CPUs (synthetic)", () => recording("synthetic-256cpu.jsonl")],
  ["split-rss, 3 threads", () => [threadsHello, handMadeSampleLine(0, undefined, threadsHello)]],
  ["procfs estimate", () => [procfsHello, procfsSample]],
];
const SIZES: [number, number][] = [
  [60, 20],
  [61, 21],
  [80, 24],
  [100, 30],
  [120, 40],
  [200, 60],
];

let unmount: (() => void) | null = null;
afterEach(() => {
  unmount?.();
  unmount = null;
});

describe("the frame fits the terminal", () => {
  for (const [shape, lines] of SHAPES) {
    it(`${shape}: at ${SIZES.map(([c, r]) => `${c}×${r}`).join(", ")}, title first, never taller than rows − 1 or wider than columns`, async () => {
      const all = lines();
      const samples = all.filter((line) => line.type === "sample");
      const source = pushedSource("replay of the recording");
      const app = render(
        <App
          open={async () => source}
          analyse={analyse}
          saveSnapshot={async () => []}
          onDone={() => {}}
          mode="replay"
          backendNote="backend drgn: root, /proc/kcore and debug info all present"
        />,
      );
      unmount = app.unmount;
      let size: [number, number] = [100, 40];
      Object.defineProperty(app.stdout, "columns", { get: () => size[0], configurable: true });
      Object.defineProperty(app.stdout, "rows", { get: () => size[1], configurable: true });
      for (const line of all.filter((l) => l.type !== "sample")) source.push(line);
      // enough samples for a long history
      for (const sample of samples.slice(0, 30)) source.push(sample);
      const last = samples[Math.min(29, samples.length - 1)]!;
      if (last.type !== "sample") throw new Error("no sample");
      for (const [columns, rows] of SIZES) {
        size = [columns, rows];
        app.stdout.emit("resize");
        const frame = await frameWhere(
          app,
          (f) =>
            f.includes(`sample #${last.seq}`) && f.split("\n").every((l) => [...l].length <= columns) && f.split("\n").length <= rows - 1,
          `a ${columns}×${rows} frame`,
        );
        const screen = frame.split("\n");
        expect(screen[0], `${columns}×${rows}`).toMatch(/^rssdrift {2}replay of the recording · kernel /);
        expect(screen.length).toBeLessThanOrEqual(rows - 1);
        expect(frame).toMatch(/^(Counters|RSS)/m);
        expect(frame).toMatch(/now [+-]?\d+ /);
        expect(screen.at(-1)).toMatch(/^(▶ replay|■ end of recording)/);
      }
    });
  }
});

describe("planFrame", () => {
  const lines = recording("synthetic-256cpu.jsonl");
  const hello = lines.find((l) => l.type === "hello")!;
  const sample = lines.filter((l) => l.type === "sample").at(-1)!;
  if (hello.type !== "hello" || sample.type !== "sample") throw new Error("bad recording");
  const analysis = analyse(hello, sample);
  const explanation = explain(analysis, hello);
  const residue = residueModel(hello, sample, analysis, "magnitude");

  it("at 80×24 with 256 CPUs keeps the heat map (4 rows of 64) and a few list rows", () => {
    const layout = planFrame({ rows: 24, columns: 80, analysis, explanation, residue, marks: [], message: null });
    expect(Object.values(layout).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(23);
    expect(layout).toMatchObject({ title: 1, status: 1, counters: 8, drift: 2, target: 1 });
    // title + 4 map rows + legend + 2 list rows
    expect(layout.residue).toBe(8);
  });

  it("at 200×60 with 256 CPUs draws the map in 2 rows and gives the list the lines the rest leave", () => {
    const layout = planFrame({ rows: 60, columns: 200, analysis, explanation, residue, marks: [], message: null });
    expect(Object.values(layout).reduce((a, b) => a + b, 0)).toBe(59);
    expect(layout.explanation).toBeGreaterThan(0);
    expect(layout.residue).toBeGreaterThan(1 + 2 + 1 + 8);
  });

  it("keeps a one-line backend note ahead of the residue, and drops it after the target line, before the counters", () => {
    const withNote = planFrame({ rows: 20, columns: 60, analysis, explanation, residue, marks: [], message: null, backendNote: "why" });
    expect(withNote.backendNote).toBe(1);
    const tiny = planFrame({ rows: 7, columns: 60, analysis, explanation, residue, marks: [], message: null, backendNote: "why" });
    expect(tiny).toMatchObject({ title: 1, status: 1, counters: 1, drift: 1, target: 1, backendNote: 1, residue: 0 });
    // the counters table and the drift title come after the note's line
    expect(
      planFrame({ rows: 16, columns: 60, analysis, explanation, residue, marks: [], message: null, backendNote: "why" }),
    ).toMatchObject({ counters: 8, drift: 2, backendNote: 1 });
    const tinier = planFrame({ rows: 6, columns: 60, analysis, explanation, residue, marks: [], message: null, backendNote: "why" });
    expect(tinier).toMatchObject({ title: 1, status: 1, counters: 1, drift: 1, target: 1, backendNote: 0 });
  });
});
