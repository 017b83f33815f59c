import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lab612Hello, lab612Sample, lab61Hello, lab61Sample } from "../../test/fixtures/lab-samples.js";
import { procfsLines } from "../../test/fixtures/scenario-samples.js";
import { analyse } from "../analysis/analyse.js";
import type { HelloLine, SampleLine } from "../schema/helper-line.js";
import { parseHelperLine } from "../schema/validate-line.js";
import { chartsSection } from "./markdown-charts.js";
import { renderMarkdown } from "./markdown.js";

const analysed = (hello: HelloLine, sample: SampleLine) => ({ hello, sample, analysis: analyse(hello, sample) });

/** the mermaid blocks of a Markdown text, each as its lines */
function mermaidBlocks(md: string): string[][] {
  return [...md.matchAll(/```mermaid\n([\s\S]*?)\n```/g)].map((m) => m[1]!.split("\n"));
}
const listOf = (line: string) => JSON.parse(line.slice(line.indexOf("["))) as (number | string)[];

describe("the Markdown charts", () => {
  it("draws the residue per CPU as bars, one per online CPU, the same numbers as the residue table", () => {
    const s = analysed(lab612Hello, lab612Sample);
    const md = renderMarkdown(s, { command: "rssdrift 436 --markdown" });
    const [residue, bound] = mermaidBlocks(md);
    expect(residue![0]).toBe("xychart-beta");
    const cpus = listOf(residue!.find((l) => l.trim().startsWith("x-axis"))!);
    const bars = listOf(residue!.find((l) => l.trim().startsWith("bar"))!);
    expect(cpus).toEqual(lab612Hello.cpus.online.map(String));
    expect(bars).toHaveLength(cpus.length);
    // the residue table's row for CPU 3 reads +48 pages
    expect(md).toContain("| 3 | +48 |");
    expect(bars[cpus.indexOf("3")]).toBe(48);
    expect(bound![0]).toBe("xychart-beta");
    // the Command block stays last
    expect(md.indexOf("### Charts")).toBeLessThan(md.indexOf("### Command"));
  });

  it("on the 16-CPU lab recording: a negative slot below 0, and the bound per counter, N × (max(32, 2N) − 1) pages, from 1 to 256 CPUs", () => {
    const lines = readFileSync(new URL("../../test/fixtures/lab-6.12-16cpu.jsonl", import.meta.url), "utf8")
      .trim()
      .split("\n")
      .map((l) => parseHelperLine(l));
    const hello = lines.find((l): l is HelloLine => l.type === "hello")!;
    const sample = lines.filter((l): l is SampleLine => l.type === "sample").at(-1)!;
    const [residue, bound] = mermaidBlocks(chartsSection(analysed(hello, sample)).join("\n"));
    // CPU 0 holds -28 (the pages faulted on CPU 12, unmapped on CPU 0): the y axis reaches below 0
    expect(listOf(residue!.find((l) => l.trim().startsWith("bar"))!)[0]).toBe(-28);
    expect(residue!.find((l) => l.trim().startsWith("y-axis"))).toBe('    y-axis "pages" -28 --> 30');
    expect(listOf(bound!.find((l) => l.trim().startsWith("x-axis"))!)).toEqual(["1", "2", "4", "8", "16", "32", "64", "128", "256"]);
    // 32 CPUs: batch 64, 32 × 63; 128 CPUs: batch 256, 128 × 255 = 127.5 MiB of 4 KiB pages
    expect(listOf(bound!.find((l) => l.trim().startsWith("line"))!)).toEqual([31, 62, 124, 248, 496, 2016, 8128, 32640, 130816]);
    expect(bound!.find((l) => l.includes("title"))).toContain("this machine: 16 CPUs, 496 pages");
  });

  it("on 256 CPUs charts only the CPUs holding pages, and says so", () => {
    const lines = readFileSync(new URL("../../test/fixtures/synthetic-256cpu.jsonl", import.meta.url), "utf8")
      .trim()
      .split("\n")
      .map((l) => parseHelperLine(l));
    const hello = lines.find((l): l is HelloLine => l.type === "hello")!;
    const sample = lines.filter((l): l is SampleLine => l.type === "sample").at(-1)!;
    const s = analysed(hello, sample);
    const [residue] = mermaidBlocks(chartsSection(s).join("\n"));
    const cpus = listOf(residue!.find((l) => l.trim().startsWith("x-axis"))!).map(Number);
    expect(cpus).toHaveLength(s.analysis.residue.length);
    expect(cpus).toEqual([...cpus].sort((a, b) => a - b));
    expect(residue!.find((l) => l.includes("title"))).toContain(`(the ${cpus.length} of 256 holding pages)`);
  });

  it("charts threads in the split-rss era, with no CPU bound; for the procfs estimate only the machine's bound", () => {
    const threads = mermaidBlocks(chartsSection(analysed(lab61Hello, lab61Sample)).join("\n"));
    expect(threads).toHaveLength(1);
    expect(threads[0]!.find((l) => l.includes("title"))).toContain("Residue per thread");
    const percpu = procfsLines({ cpus: 8, kernel: "6.12.0", era: "percpu", statResident: 100, statmResident: 120, smapsRssKb: null });
    const estimate = mermaidBlocks(chartsSection(analysed(percpu.hello, percpu.sample)).join("\n"));
    expect(estimate).toHaveLength(1);
    expect(estimate[0]!.find((l) => l.includes("title"))).toContain("this machine: 8 CPUs, 248 pages");
    const old = procfsLines({ cpus: 8, kernel: "6.1.0", era: "split-rss", statResident: 100, statmResident: 120, smapsRssKb: null });
    expect(chartsSection(analysed(old.hello, old.sample))).toEqual([]);
  });
});
