// The text output of `rssdrift bound`: one row per CPU count (or thread count), with what each
// number means, and what it means for a test that allocates S bytes.
import type { AllocationReading } from "../analysis/allocation.js";
import { defaultFaultAroundPages } from "../analysis/bound.js";
import type { Bound } from "../analysis/types.js";
import { boundRuleWords } from "../vocabulary/bound.js";
import { countOf, formatBytes, formatPages } from "../vocabulary/quantities.js";
import { padColumns, wrap } from "./layout.js";
import type { Style } from "./style.js";

export interface BoundRow {
  bound: Bound;
  allocation: AllocationReading | null;
  /** this row is this machine's CPU count */
  isThisMachine: boolean;
}

export interface BoundReport {
  era: "percpu" | "split-rss";
  /** what the era is and where it came from (src/vocabulary/era.ts boundEraNote) */
  eraNote: string;
  pageSize: number;
  /** e.g. "this machine's" or "--page-size" */
  pageSizeNote: string;
  rows: BoundRow[];
  allocBytes: number | null;
}

const WIDTH = 80;
const INDENT = "  ";

function amount(pages: number, pageSize: number, approximate: boolean): string {
  return `${approximate ? "≈" : "≤"} ${formatPages(pages)} (${formatBytes(pages * pageSize)})`;
}

function table(report: BoundReport, style: Style): string[] {
  const percpu = report.era === "percpu";
  const approximate = !percpu;
  const head = percpu ? ["CPUs", "batch", "per counter", "VmRSS (3 counters)", ""] : ["threads", "per counter", "VmRSS", ""];
  const rows = report.rows.map(({ bound, isThisMachine }) => {
    const mine = isThisMachine ? "← here" : "";
    const perCounter = amount(bound.pagesPerCounter, report.pageSize, approximate);
    const vmRss = amount(bound.pagesForRss, report.pageSize, approximate);
    return percpu ? [String(bound.cpus), String(bound.batch), perCounter, vmRss, mine] : [String(bound.threads), perCounter, vmRss, mine];
  });
  const aligns = percpu ? (["right", "right", "left", "left", "left"] as const) : (["right", "left", "left", "left"] as const);
  return padColumns([head, ...rows], aligns).map((cells, i) => {
    const line = (INDENT + cells.join("  ")).trimEnd();
    return i === 0 ? style.dim(line) : line;
  });
}

function allocationLines(report: BoundReport, style: Style): string[] {
  if (report.allocBytes === null) return [];
  const first = report.rows[0]?.allocation;
  if (!first) return [];
  const lines = wrap(
    `A test that allocates ${formatBytes(report.allocBytes)} (${formatPages(first.allocPages)}, anonymous memory) and ` +
      "reads the cached counter can see, at worst:",
    WIDTH,
  );
  const rows = report.rows.map(({ bound, allocation }) => {
    const a = allocation!;
    const who = report.era === "percpu" ? countOf(bound.cpus, "CPU") : countOf(bound.threads ?? 1, "thread");
    const range = `${formatBytes(a.lowBytes)} … ${formatBytes(a.highBytes)}`;
    const verdict = a.canReadZero
      ? `can read 0: bound ${a.boundPages} > ${a.allocPages} pages`
      : `short by up to ${formatPages(a.boundPages)} (${formatBytes(a.boundPages * report.pageSize)})`;
    return [who, range, verdict];
  });
  const padded = padColumns(rows, ["right", "left", "left"]);
  report.rows.forEach((row, i) => {
    const line = INDENT + padded[i]!.join("  ").trimEnd();
    lines.push(row.allocation!.canReadZero ? style.red(line) : line);
  });
  lines.push(
    ...wrap(
      "It can also read high by as much: slots hold frees too, and an allocation can flush pages parked earlier. " +
        "To assert on it, read smaps_rollup or allow the bound as a tolerance.",
      WIDTH,
    ),
  );
  return lines;
}

export function renderBoundText(report: BoundReport, style: Style): string {
  const sections = [
    [
      style.bold("rssdrift bound: how many pages a cached RSS counter can hide"),
      ...wrap(`era ${report.era}: ${report.eraNote}`, WIDTH),
      `page size ${formatBytes(report.pageSize)} (${report.pageSizeNote})`,
    ],
    table(report, style),
    wrap(boundRuleWords(report.era, defaultFaultAroundPages(report.pageSize)), WIDTH),
    allocationLines(report, style),
  ].filter((lines) => lines.length > 0);
  return `${sections.map((lines) => lines.join("\n")).join("\n\n")}\n`;
}
