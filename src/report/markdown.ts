// The report as GitHub-flavoured Markdown, to paste into an issue or a PR: the same sections as
// the text report, as tables, plus the command that produced it.
import type { AnalysedSample, Analysis } from "../analysis/types.js";
import { RSS_COUNTERS } from "../schema/helper-line.js";
import { printableStrings } from "../text/printable.js";
import { backendName, estimateWords, NO_ESTIMATE, NO_ESTIMATE_WHY, skipLine } from "../vocabulary/backends.js";
import { boundSentences, residueMeaning } from "../vocabulary/bound.js";
import {
  cachedMeaning,
  DRIFT_MEANING,
  exactMeaning,
  meaningWords,
  NO_SLOTS,
  RSS_MEANING,
  SLOTS_NOT_VISIBLE,
  slotPlaces,
} from "../vocabulary/counters.js";
import { eraLine } from "../vocabulary/era.js";
import { explain } from "../vocabulary/explanation.js";
import { machineLine } from "../vocabulary/machine.js";
import { formatPercent, formatSignedBytes, formatSignedPages } from "../vocabulary/quantities.js";
import { READERS, readersMatched, SMAPS_NOT_READ, verdictWords } from "../vocabulary/readers.js";
import { asSentence } from "../vocabulary/sentence.js";
import { chartsSection } from "./markdown-charts.js";
import { driftCells, slotPagesLookup } from "./table-cells.js";

export interface MarkdownOptions {
  /** the command line that produced the sample, e.g. "rssdrift 436 --markdown" */
  command: string;
}

/** text that Markdown must show as is: a comm can hold `|`, `*`, `_`, `<` or an `&` entity */
function escapeMarkdown(text: string): string {
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
  const meaning = `${meaningWords(cachedMeaning(a))}; ${meaningWords(exactMeaning(a))}. ${DRIFT_MEANING}; of bound = |drift| ÷ the worst case on this machine. ${RSS_MEANING}.`;
  const bold = (cells: string[]) => cells.map((c) => (c === "" ? c : `**${c}**`));
  const { rss } = a;
  if (rss === null) return [heading(a, "RSS, in pages"), "", `**${escapeMarkdown(NO_ESTIMATE_WHY)}**`];
  if (a.counters === null) {
    return [
      heading(a, "RSS, in pages"),
      "",
      escapeMarkdown(meaning),
      "",
      ...table(
        ["", "cached", "exact ≈", "drift", "in bytes", "of bound"],
        ["left", "right", "right", "right", "right", "right"],
        [bold(["RSS", String(rss.cached), String(rss.exact), ...driftCells(rss)])],
      ),
    ];
  }
  const rows = a.counters.map((c) => [c.name, `\`${c.kernelName}\``, String(c.cached), String(c.exact), ...driftCells(c)]);
  rows.push(bold(["RSS", "file + anon + shmem", String(rss.cached), String(rss.exact), ...driftCells(rss)]));
  return [
    heading(a, "RSS counters, in pages"),
    "",
    escapeMarkdown(meaning),
    "",
    ...table(
      ["counter", "kernel name", "cached", "exact", "drift", "in bytes", "of bound"],
      ["left", "left", "right", "right", "right", "right", "right"],
      rows,
    ),
  ];
}

function residue(a: Analysis): string[] {
  const where = slotPlaces(a.era);
  if (a.counters === null) {
    return [heading(a, "Where the drift sits"), "", escapeMarkdown(asSentence(SLOTS_NOT_VISIBLE))];
  }
  if (a.residue.length === 0) {
    return [
      heading(a, "Where the drift sits"),
      "",
      a.era === "none" ? escapeMarkdown(asSentence(NO_SLOTS)) : `No pages are parked in ${where} right now.`,
    ];
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
    escapeMarkdown(residueMeaning(a)),
  ];
}

function bound(a: Analysis): string[] {
  return [
    heading(a, a.era === "split-rss" ? "The bound for this process" : "The bound for this CPU count"),
    "",
    escapeMarkdown(boundSentences(a).join(" ")),
  ];
}

function readers(a: Analysis): string[] {
  if (a.rss === null) return [heading(a, "Who sees what"), "", escapeMarkdown(`Not matched: ${NO_ESTIMATE}.`)];
  const rows = a.readers.map((r) => [
    escapeMarkdown(READERS[r.reader].label),
    String(r.pages),
    escapeMarkdown(verdictWords(r, a.era)),
    escapeMarkdown(READERS[r.reader].usedBy),
  ]);
  return [
    heading(a, "Who sees what"),
    "",
    escapeMarkdown(readersMatched(a.rss.cached, a.rss.exact)),
    "",
    ...table(["reader", "pages", "tracks", "read by"], ["left", "right", "left", "left"], rows),
    ...(a.readers.some((r) => r.reader === "smaps_rollup")
      ? []
      : ["", `${escapeMarkdown(READERS.smaps_rollup.label)}: ${escapeMarkdown(SMAPS_NOT_READ)}.`]),
  ];
}

/** a fence longer than any run of backticks in the command */
function codeBlock(language: string, code: string): string[] {
  const longest = Math.max(0, ...(code.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(Math.max(3, longest + 1));
  return [`${fence}${language}`, code, fence];
}

export function renderMarkdown(exact: AnalysedSample, opts: MarkdownOptions): string {
  // the target's strings made printable here, once; escapeMarkdown() then keeps them from being markup
  const s = printableStrings(exact);
  const a = s.analysis;
  const target = `pid ${s.hello.target.pid} (${escapeMarkdown(s.hello.target.comm)})`;
  const header = [
    `## rssdrift${a.estimate ? " estimate" : ""}: ${target}`,
    "",
    `Kernel ${codeSpan(s.hello.kernel)} · ${escapeMarkdown(eraLine(a.era, a.eraSource))} · ${escapeMarkdown(backendName(s.hello))}  `,
    escapeMarkdown(machineLine(s.hello, s.sample.threads)),
  ];
  const skipped = s.backend?.skipped ?? [];
  if (skipped.length > 0) header.push("", ...skipped.map((skip) => `- ${escapeMarkdown(skipLine(skip))}`));
  if (a.estimate) header.push("", `> **Estimate:** ${escapeMarkdown(estimateWords(s))}`);
  const sections = [
    header,
    counters(a),
    residue(a),
    bound(a),
    readers(a),
    [heading(a, "What it means"), "", escapeMarkdown(explain(a, s.hello).join(" "))],
    chartsSection(s),
    ["### Command", "", ...codeBlock("sh", opts.command)],
  ];
  return `${sections
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.join("\n"))
    .join("\n\n")}\n`;
}
