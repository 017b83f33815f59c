// `rssdrift bound`: how far can a cached RSS counter be off on a machine like X? Pure arithmetic
// on the kernel's formulas: no root, no kernel access, no target.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";
import { availableParallelism, release } from "node:os";
import { allocationReading } from "../analysis/allocation.js";
import { boundFor, defaultFaultAroundPages, RSS_COUNTER_COUNT, TASK_RSS_EVENTS_THRESH } from "../analysis/bound.js";
import { eraFromRelease } from "../analysis/era-guess.js";
import { EXIT } from "../errors.js";
import { renderBoundPlot } from "../report/bound-plot.js";
import { renderBoundText, type BoundReport } from "../report/bound-text.js";
import { makeStyle } from "../report/style.js";
import { commonFlagsHelp, defineCommand } from "./command.js";
import { badInput } from "./parse-flags.js";
import { boundFormula, EVERY_N_FAULTS } from "../vocabulary/bound.js";
import { boundEraNote, type BoundEraFinding } from "../vocabulary/era.js";
import { BATCH_RULE } from "../vocabulary/machine.js";
import { countOf, formatBytes, formatPages } from "../vocabulary/quantities.js";

/** an example of the help: "8 CPUs → 248 pages (≈1 MiB)", from the kernel's formulas at 4 KiB pages */
function example(era: "percpu" | "split-rss", count: number): string {
  const bound =
    era === "percpu" ? boundFor({ era, cpus: count, pageSize: 4096 }) : boundFor({ era, cpus: 1, threads: count, pageSize: 4096 });
  const approximately = era === "split-rss" ? "≈ " : "";
  return `${countOf(count, era === "percpu" ? "CPU" : "thread")} → ${approximately}${formatPages(bound.pagesPerCounter)} (${formatBytes(bound.pagesPerCounter * 4096)})`;
}

const pagesPerFileFault = defaultFaultAroundPages(4096);

export const boundHelp = `Usage: rssdrift bound [--cpus N[,N…]] [--threads T[,T…]] [--era ERA]
                      [--page-size SIZE] [--alloc SIZE] [--plot | --json]

How many pages can /proc/PID/statm (psutil's rss, top's RES) miss on a machine
like X? No root and no kernel access needed: this is the kernel's arithmetic.

Linux does not update a process's RSS counters on every page fault; it caches.
  Since v6.2 (percpu era) each CPU keeps a slot per counter and adds it to the
  shared count only when it reaches the batch, ${BATCH_RULE}. Each
  online CPU can hold up to batch − 1 pages, so one counter can be short by
      N × (batch − 1) pages    ${example("percpu", 8)}
                               ${example("percpu", 128)}
  and VmRSS, which sums file + anon + shmem, by ${RSS_COUNTER_COUNT}× that.
  Before v6.2 (split-rss era) each thread caches its changes and hands them
  over ${EVERY_N_FAULTS}; one file fault maps up to ${formatPages(pagesPerFileFault)}, so
      ≈ ${TASK_RSS_EVENTS_THRESH} × threads × ${formatPages(pagesPerFileFault)}   ${example("split-rss", 8)}

Options:
  --cpus N[,N…]      online CPU counts (default: this machine's); era percpu
  --threads T[,T…]   thread counts (default 1); era split-rss
  --era ERA          percpu or split-rss (default: guessed from this kernel)
  --page-size SIZE   4096, 16K or 64K (default: this machine's)
  --alloc SIZE       what a test allocating SIZE (1MiB, 512K) can read at worst
  --plot             draw the bound against the CPU (or thread) count
  --json             machine-readable rows
${commonFlagsHelp(21)}

Exit codes: 0 the bound was printed; 2 bad input (a flag's value, --cpus with
--era split-rss, an era not guessed from this kernel: pass --era); others as in
\`rssdrift --help\`.

Examples:
  rssdrift bound                               this machine
  rssdrift bound --cpus 8,32,128 --alloc 1MiB  can 1 MiB read as 0 on CI?
  rssdrift bound --cpus 256 --page-size 64K    a large arm64 machine
  rssdrift bound --threads 5                   a 5-thread service before v6.2`;

/** NR_CPUS tops out at 8192 on the architectures Linux supports (x86 MAXSMP, powerpc). */
const MAX_CPUS = 8192;
/** PID_MAX_LIMIT: no process has more threads than there are pids. */
const MAX_THREADS = 4_194_304;

/** "8" or "8,32,128" → [8, 32, 128], sorted, each from 1 to max */
export function parseCounts(text: string, flag: string, max: number): number[] {
  const parts = text.split(",");
  if (!parts.every((p) => /^\d+$/.test(p.trim()) && Number(p) >= 1 && Number(p) <= max)) {
    throw badInput(`${flag} takes whole numbers from 1 to ${max}, separated by commas, not ${JSON.stringify(text)}`);
  }
  return [...new Set(parts.map(Number))].sort((a, b) => a - b);
}

const SIZE_UNITS: Record<string, number> = {
  "": 1,
  b: 1,
  k: 1024,
  kib: 1024,
  kb: 1000,
  m: 1024 ** 2,
  mib: 1024 ** 2,
  mb: 1000 ** 2,
  g: 1024 ** 3,
  gib: 1024 ** 3,
  gb: 1000 ** 3,
};

/** "1MiB", "512K", "1.5 MiB", "4096" → bytes; K/KiB are 1024, KB is 1000 */
export function parseSize(text: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*([a-z]*)$/i.exec(text.trim());
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  const bytes = match && unit ? Math.round(Number(match[1]) * unit) : NaN;
  if (!(bytes >= 1 && bytes <= 2 ** 50)) {
    throw badInput(`${flag} takes a size such as 1MiB, 512K or 4096 (bytes), not ${JSON.stringify(text)}`);
  }
  return bytes;
}

/** 4 KiB to 256 KiB, a power of two: the page sizes Linux architectures use */
export function parsePageSize(text: string): number {
  const bytes = parseSize(text, "--page-size");
  if (bytes < 4096 || bytes > 262144 || (bytes & (bytes - 1)) !== 0) {
    throw badInput(`--page-size takes a power of two from 4096 to 256K (4K, 16K, 64K), not ${JSON.stringify(text)}`);
  }
  return bytes;
}

/** A kernel CPU list such as "0-3,8,10-11" (/sys/devices/system/cpu/online). */
function parseCpuList(text: string): number[] {
  const cpus: number[] = [];
  for (const part of text.trim().split(",")) {
    if (part === "") continue;
    const [from, to] = part.split("-").map(Number);
    if (from === undefined || Number.isNaN(from)) throw new Error(`bad CPU list: ${text.trim()}`);
    for (let cpu = from; cpu <= (to ?? from); cpu++) cpus.push(cpu);
  }
  return cpus;
}

/** online CPUs: /sys counts them all, os.availableParallelism() only those this process may use */
function onlineCpusHere(): { cpus: number; source: string } {
  try {
    return { cpus: parseCpuList(readFileSync("/sys/devices/system/cpu/online", "utf8")).length, source: "/sys/devices/system/cpu/online" };
  } catch {
    return { cpus: availableParallelism(), source: "the CPUs this process may run on" };
  }
}

/** the base page size, from the first mapping's KernelPageSize in /proc/self/smaps; null if unreadable */
function pageSizeHere(): number | null {
  let fd: number | undefined;
  try {
    fd = openSync("/proc/self/smaps", "r");
    const chunk = Buffer.alloc(4096);
    let text = "";
    for (let n = readSync(fd, chunk); n > 0 && text.length < 65536; n = readSync(fd, chunk)) {
      text += chunk.toString("latin1", 0, n);
      const match = /^KernelPageSize:\s+(\d+) kB$/m.exec(text);
      if (match) return Number(match[1]) * 1024;
    }
    return null;
  } catch {
    return null;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

type BoundEra = "percpu" | "split-rss";

function resolveEra(
  values: { era?: string; cpus?: string; threads?: string },
  kernel: string,
): { era: BoundEra; finding: BoundEraFinding } {
  if (values.era !== undefined) {
    if (values.era !== "percpu" && values.era !== "split-rss") {
      throw badInput(`--era is percpu (v6.2+) or split-rss (before v6.2), not ${JSON.stringify(values.era)}`);
    }
    if (values.era === "percpu" && values.threads !== undefined) {
      throw badInput("--threads applies to --era split-rss: the percpu bound depends on CPUs, not threads");
    }
    if (values.era === "split-rss" && values.cpus !== undefined) {
      throw badInput("--cpus applies to --era percpu: the split-rss bound depends on threads (--threads), not CPUs");
    }
    return { era: values.era, finding: { by: "--era" } };
  }
  if (values.cpus !== undefined && values.threads !== undefined) {
    throw badInput("--cpus is for the percpu era and --threads for split-rss: give one, or --era");
  }
  if (values.cpus !== undefined) return { era: "percpu", finding: { by: "--cpus" } };
  if (values.threads !== undefined) return { era: "split-rss", finding: { by: "--threads" } };
  const guessed = eraFromRelease(kernel);
  if (guessed === "percpu" || guessed === "split-rss") return { era: guessed, finding: { by: "release", kernel } };
  throw badInput(`cannot guess the era from kernel ${JSON.stringify(kernel)}`, "pass --era percpu or --era split-rss");
}

export const boundCommand = defineCommand({
  name: "bound",
  help: boundHelp,
  flags: {
    cpus: { type: "string" },
    era: { type: "string" },
    threads: { type: "string" },
    "page-size": { type: "string" },
    alloc: { type: "string" },
    plot: { type: "boolean", default: false },
    json: { type: "boolean", default: false },
  },
  async run({ values }, ctx) {
    if (values.plot && values.json) throw badInput("--plot draws in the terminal and --json prints data: pick one");
    return printBound(values, ctx.stdout, ctx.output.color);
  },
});

/** the bound for the flags' machine, as text (with --plot, a plot) or JSON */
function printBound(
  values: { cpus?: string; era?: string; threads?: string; "page-size"?: string; alloc?: string; plot: boolean; json: boolean },
  stdout: NodeJS.WritableStream,
  color: boolean,
): number {
  const { era, finding } = resolveEra(values, release());
  const note = boundEraNote(era, finding);
  const here = onlineCpusHere();
  const detectedPageSize = values["page-size"] === undefined ? pageSizeHere() : null;
  const pageSize = values["page-size"] !== undefined ? parsePageSize(values["page-size"]) : (detectedPageSize ?? 4096);
  const pageSizeNote =
    values["page-size"] !== undefined ? "--page-size" : detectedPageSize !== null ? "this machine's" : "assumed; --page-size to choose";
  const allocBytes = values.alloc !== undefined ? parseSize(values.alloc, "--alloc") : null;

  const xs =
    era === "percpu"
      ? values.cpus !== undefined
        ? parseCounts(values.cpus, "--cpus", MAX_CPUS)
        : [here.cpus]
      : values.threads !== undefined
        ? parseCounts(values.threads, "--threads", MAX_THREADS)
        : [1];
  const rows = xs.map((x) => {
    const bound = era === "percpu" ? boundFor({ era, cpus: x, pageSize }) : boundFor({ era, cpus: here.cpus, threads: x, pageSize });
    return {
      bound,
      allocation: allocBytes === null ? null : allocationReading(allocBytes, bound, pageSize),
      isThisMachine: era === "percpu" && x === here.cpus,
    };
  });
  const eraNote = era === "percpu" && values.cpus === undefined ? `${note}; ${countOf(here.cpus, "CPU")} online (${here.source})` : note;
  const report: BoundReport = { era, eraNote, pageSize, pageSizeNote, rows, allocBytes };

  if (values.json) {
    stdout.write(`${JSON.stringify(boundJson(report, here.cpus), null, 2)}\n`);
    return EXIT.ok;
  }
  stdout.write(renderBoundText(report, makeStyle(color)));
  if (values.plot) {
    const xMax = era === "percpu" ? Math.max(256, here.cpus, ...xs) : Math.max(64, ...xs);
    const mark =
      era === "percpu"
        ? { x: here.cpus, label: `this machine: ${countOf(here.cpus, "CPU")}` }
        : { x: xs[xs.length - 1]!, label: `${xs[xs.length - 1]} threads` };
    stdout.write(`\n${renderBoundPlot({ era, pageSize, xMax, mark })}`);
  }
  return EXIT.ok;
}

export const BOUND_JSON_SCHEMA = "rssdrift-bound/1";

/**
 * --json: { schema, era, eraNote, pageSize, onlineCpusHere, faultAroundPages (split-rss), rows[] }
 * with each row { cpus, threads, batch, formula, approximate, perCounter: {pages, bytes},
 * vmRss: {pages, bytes}, allocation: AllocationReading | null }.
 */
function boundJson(report: BoundReport, cpusHere: number) {
  return {
    schema: BOUND_JSON_SCHEMA,
    era: report.era,
    eraNote: report.eraNote,
    pageSize: report.pageSize,
    onlineCpusHere: cpusHere,
    faultAroundPages: report.era === "split-rss" ? defaultFaultAroundPages(report.pageSize) : null,
    rows: report.rows.map(({ bound, allocation }) => ({
      cpus: bound.era === "percpu" ? bound.cpus : null,
      threads: bound.threads,
      batch: bound.batch,
      formula: boundFormula(bound),
      approximate: bound.era === "split-rss",
      perCounter: { pages: bound.pagesPerCounter, bytes: bound.pagesPerCounter * report.pageSize },
      vmRss: { pages: bound.pagesForRss, bytes: bound.pagesForRss * report.pageSize },
      allocation,
    })),
  };
}
