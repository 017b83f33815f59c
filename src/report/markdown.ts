// The report as GitHub-flavoured Markdown, to paste into an issue or a PR: the same sections as
// the text report, as tables, plus the command that produced it.
import { formatPercent, formatSignedBytes, formatSignedPages } from "../analysis/format-bytes.js";
import { NO_ESTIMATE } from "../analysis/explanation.js";
import type { AnalysedSample, Analysis } from "../analysis/types.js";
import { RSS_COUNTERS } from "../schema/helper-line.js";
import { printableStrings } from "../text/printable.js";
import { chartsSection } from "./markdown-charts.js";
import {
  boundSentences,
  cachedMeaning,
  driftCells,
  eraLine,
  estimateWords,
  exactMeaning,
  machineLine,
  NO_ESTIMATE_WORDS,
  residueMeaning,
  skippedBackendLines,
  slotPagesLookup,
  sourceWords,
  verdictWords,
} from "./wording.js";

export interface MarkdownOptions {
  /** the command line that produced the sample, e.g. "rssdrift 436 --markdown" */
  command: string;
}

/** text that Markdown must show as is: a comm can hold `|`, `*`, `_`, `<` or an `&` entity */
function escape(text: string): string {
  return text.replace(/[\\`*_[\]<>|#&]/g, (c) => `\\${c}`);
}

/** inline code around any text: a fence longer than the backtick runs in it, spaced off a backtick at either end */
function codeSpan(text: string): string {
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = text.startsWith("`") || text.endsWith("`") ? " " : "";
  return `${fence}${pad}${text}${pad}${fence}`;
}

function table(head: string[], aligns: ("left" | "right")[], rows: string[][]): string[] {
  const rule = aligns.map((a) => (a === "right" ? "---:" : "---"));
  return [head, rule, ...rows].map((cells) => `| ${cells.join(" | ")} |`);
}

function heading(a: Analysis, text: string): string {
  return `### ${text}${a.estimate ? " (estimate)" : ""}`;
}


function counters(a: Analysis): string[] {
  const meaning = `${cachedMeaning(a)}; ${exactMeaning(a)}. drift = exact − cached; of bound = |drift| ÷ the worst case on this machine. Swap is not resident, so it is not part of RSS.`;
  const bold = (cells: string[]) => cells.map((c) => (c === "" ? c : `**${c}**`));
  const { rss } = a;
  if (rss === null) return [heading(a, "RSS, in pages"), "", `**${escape(NO_ESTIMATE_WORDS)}**`];
  if (a.counters === null) {
    return [
      heading(a, "RSS, in pages"),
      "",
      escape(meaning),
      "",
      ...table(["", "cached", "exact ≈", "drift", "in bytes", "of bound"], ["left", "right", "right", "right", "right", "right"], [
        bold(["RSS", String(rss.cached), String(rss.exact), ...driftCells(rss)]),
      ]),
    ];
  }
  const rows = a.counters.map((c) => [c.name, `\`${c.kernelName}\``, String(c.cached), String(c.exact), ...driftCells(c)]);
  rows.push(bold(["RSS", "file + anon + shmem", String(rss.cached), String(rss.exact), ...driftCells(rss)]));
  return [
    heading(a, "RSS counters, in pages"),
    "",
    escape(meaning),
    "",
    ...table(
      ["counter", "kernel name", "cached", "exact", "drift", "in bytes", "of bound"],
      ["left", "left", "right", "right", "right", "right", "right"],
      rows,
    ),
  ];
}

function residue(a: Analysis): string[] {
  const where = a.era === "split-rss" ? "per-thread caches" : "per-CPU slots";
  if (a.counters === null) {
    return [heading(a, "Where the drift sits"), "", "Not visible from /proc: only a kernel backend (bpf or drgn) can read the per-CPU slots or per-thread caches."];
  }
  if (a.residue.length === 0) {
    return [heading(a, "Where the drift sits"), "", a.era === "none" ? "This kernel has no slots." : `No pages are parked in ${where} right now.`];
  }
  const isCpu = a.residue[0]!.kind === "cpu";
  const slotPages = slotPagesLookup(a);
  const rows = a.residue.map((slot) => [
    String(slot.slot),
    formatSignedPages(slot.pages),
    formatSignedBytes(slot.bytes),
    ...RSS_COUNTERS.map((counter) => {
      const pages = slotPages(slot.slot, counter);
      return pages === null ? "" : formatSignedPages(pages);
    }),
    ...(isCpu ? [formatPercent(slot.fractionOfBatch)] : []),
  ]);
  return [
    heading(a, `Where the drift sits: ${where}, largest first`),
    "",
    ...table(
      [isCpu ? "CPU" : "thread", "pages", "bytes", ...RSS_COUNTERS, ...(isCpu ? ["of batch"] : [])],
      ["left", "right", "right", "right", "right", "right", ...(isCpu ? (["right"] as const) : [])],
      rows,
    ),
    "",
    escape(residueMeaning(a)),
  ];
}

function bound(a: Analysis): string[] {
  return [heading(a, a.era === "split-rss" ? "The bound for this process" : "The bound for this CPU count"), "", escape(boundSentences(a).join(" "))];
}

function readers(a: Analysis): string[] {
  if (a.rss === null) return [heading(a, "Who sees what"), "", escape(`Not matched: ${NO_ESTIMATE}.`)];
  const rows = a.readers.map((r) => [escape(r.label), String(r.pages), escape(verdictWords(r, a)), escape(r.usedBy)]);
  return [
    heading(a, "Who sees what"),
    "",
    escape(`Each reader's RSS in pages, matched against cached ${a.rss.cached} and exact ${a.rss.exact} in this sample.`),
    "",
    ...table(["reader", "pages", "tracks", "read by"], ["left", "right", "left", "left"], rows),
    ...(a.readers.some((r) => r.reader === "smaps_rollup")
      ? []
      : ["", "/proc/PID/smaps\_rollup was not read (`--smaps`: a page-table walk, exact but slow)."]),
  ];
}

/** a fence longer than any run of backticks in the command */
function codeBlock(language: string, code: string): string[] {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return [`${fence}${language}`, code, fence];
}

export function renderMarkdown(exact: AnalysedSample, opts: MarkdownOptions): string {
  // the target's strings made printable here, once; escape() then keeps them from being markup
  const s = printableStrings(exact);
  const a = s.analysis;
  const target = `pid ${s.hello.target.pid} (${escape(s.hello.target.comm)})`;
  const header = [
    `## rssdrift${a.estimate ? " estimate" : ""}: ${target}`,
    "",
    `Kernel ${codeSpan(s.hello.kernel)} · ${escape(eraLine(a))} · ${escape(sourceWords(s))}  `,
    escape(machineLine(s)),
  ];
  const skipped = skippedBackendLines(s);
  if (skipped.length > 0) header.push("", ...skipped.map((line) => `- ${escape(line)}`));
  if (a.estimate) header.push("", `> **Estimate:** ${escape(estimateWords(s))}`);
  const sections = [
    header,
    counters(a),
    residue(a),
    bound(a),
    readers(a),
    [heading(a, "What it means"), "", escape(a.explanation.join(" "))],
    chartsSection(s),
    ["### Command", "", ...codeBlock("sh", opts.command)],
  ];
  return `${sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join("\n"))
    .join("\n\n")}\n`;
}
