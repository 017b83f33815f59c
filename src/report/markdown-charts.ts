// Charts for the Markdown report that GitHub draws inline: Mermaid `xychart-beta` blocks, the
// residue per CPU (or thread) and the bound against the CPU count. Where Mermaid is not drawn
// they read as a short block of numbers; the tables above them carry the same figures.
import { boundFor } from "../analysis/bound.js";
import type { AnalysedSample } from "../analysis/types.js";

/** slots charted one bar each at most; beyond, only those holding pages */
export const CHART_ALL_SLOTS_UP_TO = 64;
/** the CPU counts the bound is drawn at, with the target's own added */
const BOUND_CPU_COUNTS = [1, 2, 4, 8, 16, 32, 64, 128, 256];

/** the chart; `values` (every series' numbers) give the y range, so that negative slots stay below 0 */
function xychart(
  title: string,
  xLabel: string,
  categories: (string | number)[],
  yLabel: string,
  series: string[],
  values: number[],
): string[] {
  // a loop, not Math.min(...values): a spread of 200 000 slots overflows the call stack
  const low = values.reduce((m, v) => Math.min(m, v), 0);
  const high = values.reduce((m, v) => Math.max(m, v), 0);
  const range = low < 0 ? ` ${low} --> ${high}` : "";
  return [
    "```mermaid",
    "xychart-beta",
    `    title "${title.replace(/"/g, "'")}"`,
    `    x-axis "${xLabel}" [${categories.map((c) => `"${c}"`).join(", ")}]`,
    `    y-axis "${yLabel}"${range}`,
    ...series.map((line) => `    ${line}`),
    "```",
  ];
}

/** bars of the pages each slot holds (RSS counters summed), in slot order */
function residueChart(s: AnalysedSample): string[] {
  const a = s.analysis;
  if (a.estimate || a.counters === null || s.hello.slot_kind === "none") return [];
  const cpu = s.hello.slot_kind === "cpu";
  const held = new Map(a.residue.map((r) => [r.slot, r.pages]));
  const all = cpu ? s.hello.cpus.online : [...held.keys()].sort((x, y) => x - y);
  const slots = all.length <= CHART_ALL_SLOTS_UP_TO ? all : all.filter((slot) => held.has(slot));
  if (slots.length === 0) return [];
  const noun = cpu ? "CPU" : "thread";
  const which = slots.length === all.length ? "" : ` (the ${slots.length} of ${all.length} holding pages)`;
  const pages = slots.map((slot) => held.get(slot) ?? 0);
  return xychart(
    `Residue per ${noun}, pages parked in each slot${which}`,
    cpu ? "CPU" : "thread id",
    slots,
    "pages",
    [`bar [${pages.join(", ")}]`],
    pages,
  );
}

/** the worst case per counter, N × (max(32, 2N) − 1) pages, at 1 to 256 CPUs and this machine's N */
function boundChart(s: AnalysedSample): string[] {
  const a = s.analysis;
  if (a.bound.era !== "percpu") return [];
  const here = a.onlineCpus;
  const counts = [...new Set([...BOUND_CPU_COUNTS, here])].sort((x, y) => x - y);
  const pages = counts.map(
    (cpus) => boundFor({ era: "percpu", cpus, batch: cpus === here ? a.batch : null, pageSize: a.pageSize }).pagesPerCounter,
  );
  const title = `Worst-case drift of one counter against the CPU count (this machine: ${here} CPUs, ${a.bound.pagesPerCounter} pages)`;
  return xychart(title, "online CPUs", counts, "pages", [`line [${pages.join(", ")}]`], pages);
}

/** the "Charts" section, or nothing when there is nothing to draw (the procfs estimate, no slots) */
export function chartsSection(s: AnalysedSample): string[] {
  const charts = [residueChart(s), boundChart(s)].filter((chart) => chart.length > 0);
  if (charts.length === 0) return [];
  return [
    "### Charts",
    "",
    "Drawn by GitHub (Mermaid); the tables above hold the same numbers.",
    "",
    ...charts.flatMap((chart, i) => (i > 0 ? ["", ...chart] : chart)),
  ];
}
