// `rssdrift bound --plot`: the bound per counter against the CPU count (percpu: quadratic above
// 16 CPUs) or the thread count (split-rss: linear), drawn with plain Unicode in the terminal.
import { boundFor, defaultFaultAroundPages } from "../analysis/bound.js";
import { boundCurveWords } from "../vocabulary/bound.js";
import { formatBytes } from "../vocabulary/quantities.js";
import { wrap } from "./layout.js";

export interface BoundPlotOptions {
  era: "percpu" | "split-rss";
  pageSize: number;
  /** the right end of the x axis: CPUs (percpu) or threads (split-rss) */
  xMax: number;
  /** a vertical marker, e.g. this machine's CPU count */
  mark: { x: number; label: string } | null;
  /** total columns, at most 80 */
  width?: number;
  /** rows of the plot area */
  height?: number;
}

const POINT = "•";
const MARK_LINE = "┊";

function boundAt(era: BoundPlotOptions["era"], x: number, pageSize: number): number {
  return era === "percpu"
    ? boundFor({ era, cpus: x, pageSize }).pagesPerCounter
    : boundFor({ era, cpus: 1, threads: x, pageSize }).pagesPerCounter;
}

export function renderBoundPlot(options: BoundPlotOptions): string {
  const { era, pageSize, mark } = options;
  const xMax = Math.max(2, options.xMax);
  const height = options.height ?? 12;
  const yMax = boundAt(era, xMax, pageSize);
  const yLabels = new Map([
    [0, formatBytes(yMax * pageSize)],
    [Math.floor((height - 1) / 2), formatBytes(Math.round(yMax / 2) * pageSize)],
    [height - 1, "0"],
  ]);
  const labelWidth = Math.max(...[...yLabels.values()].map((l) => [...l].length));
  const width = Math.min(64, Math.min(options.width ?? 80, 80) - labelWidth - 3);

  const columnOf = (x: number) => Math.round(((x - 1) / (xMax - 1)) * (width - 1));
  const rowOf = (pages: number) => height - 1 - Math.round((pages / yMax) * (height - 1));
  const grid = Array.from({ length: height }, () => Array<string>(width).fill(" "));
  for (let column = 0; column < width; column++) {
    const x = Math.round(1 + (column * (xMax - 1)) / (width - 1));
    grid[rowOf(boundAt(era, x, pageSize))]![column] = POINT;
  }
  const markColumn = mark && mark.x <= xMax ? columnOf(mark.x) : null;
  if (markColumn !== null) {
    for (let row = height - 1; row > rowOf(boundAt(era, mark!.x, pageSize)); row--) grid[row]![markColumn] = MARK_LINE;
  }

  const xName = era === "percpu" ? "online CPUs" : "threads";
  const shape = boundCurveWords(era, defaultFaultAroundPages(pageSize));
  const lines = [`Bound per counter (${formatBytes(pageSize)} pages) against ${xName}:`, ...wrap(shape, labelWidth + 2 + width)];
  grid.forEach((cells, row) => {
    const label = yLabels.get(row) ?? "";
    lines.push(`${label.padStart(labelWidth)} ${yLabels.has(row) ? "┤" : "│"}${cells.join("").trimEnd()}`);
  });
  const margin = " ".repeat(labelWidth + 1);
  lines.push(`${margin}└${"─".repeat(width)}`);
  const ticks = Array<string>(width + 1).fill(" ");
  const put = (column: number, text: string) => {
    for (const [i, c] of [...text].entries()) ticks[column + i] = c;
  };
  put(1, "1");
  put(Math.round(width / 2) - 1, String(Math.round(xMax / 2)));
  put(width + 1 - String(xMax).length, String(xMax));
  lines.push(`${margin}${ticks.join("").trimEnd()}`);
  if (mark && markColumn !== null) {
    // the ▲ sits under the marked column; its label goes to whichever side has room
    const at = markColumn + 1;
    const right = `▲ ${mark.label}`;
    const left = `${mark.label} ▲`;
    const text = at + [...right].length <= width + 1 || at < [...left].length - 1 ? right : left;
    const start = text === right ? at : at - [...left].length + 1;
    lines.push(`${margin}${" ".repeat(start)}${text}`);
  }
  return `${lines.join("\n")}\n`;
}
