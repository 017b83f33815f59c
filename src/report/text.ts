// The one-shot terminal report: every number with what it means, readable without knowing the
// kernel. Fits 80 columns; with color false it is plain text without a single escape code.
import type { AnalysedSample, Analysis } from "../analysis/types.js";
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
  slotName,
  slotPlaces,
} from "../vocabulary/counters.js";
import { eraLine } from "../vocabulary/era.js";
import { explain } from "../vocabulary/explanation.js";
import { machineLine } from "../vocabulary/machine.js";
import { formatPages, formatSignedBytes, formatSignedPages } from "../vocabulary/quantities.js";
import { READERS, readersMatched, SMAPS_NOT_READ, verdictWords } from "../vocabulary/readers.js";
import { asSentence } from "../vocabulary/sentence.js";
import { padColumns, wrap, type Align } from "./layout.js";
import { makeStyle, type Style } from "./style.js";
import { closeness, driftCells, slotBreakdown, slotPagesLookup } from "./table-cells.js";

export interface TextOptions {
  color: boolean;
  /** terminal columns; the report never uses more than 80 */
  width?: number;
}

const MAX_WIDTH = 80;
/** residue rows shown before "… and N more" (a 256-CPU machine has 256 slots) */
const MAX_SLOTS = 8;
const INDENT = "  ";

interface Context {
  s: AnalysedSample;
  a: Analysis;
  style: Style;
  width: number;
}

/** "≈" before an approximate bound (split-rss) */
function approx(a: Analysis): string {
  return a.bound.era === "split-rss" ? "≈" : "";
}

function title(ctx: Context, text: string): string {
  return ctx.style.bold(ctx.a.estimate ? `${text} (estimate)` : text);
}

function paragraph(ctx: Context, text: string): string[] {
  return wrap(text, ctx.width, INDENT);
}

function header(ctx: Context): string[] {
  const { s, a, style } = ctx;
  const lines = [
    ...wrap(`rssdrift · pid ${s.hello.target.pid} (${s.hello.target.comm}) · ${backendName(s.hello)}`, ctx.width).map(style.bold),
    ...[`kernel ${s.hello.kernel}`, eraLine(a.era, a.eraSource), machineLine(s.hello, s.sample.threads)].flatMap((line) =>
      wrap(line, ctx.width),
    ),
    ...(s.backend?.skipped ?? []).flatMap((skip) => wrap(skipLine(skip), ctx.width)).map(style.yellow),
  ];
  if (a.estimate) lines.push(...wrap(`ESTIMATE: ${estimateWords(s)}`, ctx.width).map(style.yellow));
  return lines;
}

function counters(ctx: Context): string[] {
  const { a, style } = ctx;
  const { rss } = a;
  if (rss === null) return [title(ctx, "RSS, in pages"), ...paragraph(ctx, NO_ESTIMATE_WHY).map(style.yellow)];
  const rows: string[][] = [];
  if (a.counters) {
    rows.push(["counter", "kernel name", "cached", "exact", "drift", "in bytes", "of bound"]);
    for (const c of a.counters) rows.push([c.name, c.kernelName, String(c.cached), String(c.exact), ...driftCells(c)]);
    rows.push(["RSS", "file+anon+shmem", String(rss.cached), String(rss.exact), ...driftCells(rss)]);
  } else {
    rows.push(["", "cached", "exact ≈", "drift", "in bytes", "of bound"]);
    rows.push(["RSS", String(rss.cached), String(rss.exact), ...driftCells(rss)]);
  }
  const aligns = rows[0]!.map((_, i): Align => (i < (a.counters ? 2 : 1) ? "left" : "right"));
  const lines = padColumns(rows, aligns).map((cells, i) => {
    const line = INDENT + cells.join("  ");
    return i === 0 ? style.dim(line) : i === rows.length - 1 ? style.bold(line) : line;
  });
  const boundWords =
    a.bound.pagesPerCounter > 0
      ? `the worst case on this machine (${approx(a)}${formatPages(a.bound.pagesPerCounter)} per counter, ${approx(a)}${formatPages(a.bound.pagesForRss)} for RSS)`
      : "the worst case, which this kernel does not have";
  return [
    title(ctx, "RSS COUNTERS, in pages"),
    ...paragraph(ctx, `${meaningWords(cachedMeaning(a))}; ${meaningWords(exactMeaning(a))}.`).map(style.dim),
    ...lines,
    ...paragraph(ctx, `${DRIFT_MEANING}; of bound = |drift| ÷ ${boundWords}. ${RSS_MEANING}.`).map(style.dim),
  ];
}

function residue(ctx: Context): string[] {
  const { a, style } = ctx;
  if (a.counters === null) {
    return [title(ctx, "WHERE THE DRIFT SITS"), ...paragraph(ctx, asSentence(SLOTS_NOT_VISIBLE))];
  }
  const where = slotPlaces(a.era);
  if (a.residue.length === 0) {
    const none = a.era === "none" ? asSentence(NO_SLOTS) : `No pages are parked in ${where} right now.`;
    return [title(ctx, "WHERE THE DRIFT SITS"), ...paragraph(ctx, none)];
  }
  const shown = a.residue.slice(0, MAX_SLOTS);
  const slotPages = slotPagesLookup(a);
  const rows = shown.map((slot) => [
    slotName(slot),
    `${formatSignedPages(slot.pages)} pages`,
    formatSignedBytes(slot.bytes),
    slotBreakdown(slotPages, slot.slot),
    closeness(slot),
  ]);
  const lines = padColumns(rows, ["left", "right", "right", "left", "right"]).map((cells) => INDENT + cells.join("  ").trimEnd());
  const rest = a.residue.slice(MAX_SLOTS);
  if (rest.length > 0) {
    const pages = rest.reduce((sum, slot) => sum + slot.pages, 0);
    lines.push(`${INDENT}… and ${rest.length} more holding ${formatPages(pages)} (${formatSignedBytes(pages * a.pageSize)})`);
  }
  return [
    title(ctx, `WHERE THE DRIFT SITS: ${where}, largest first`),
    ...paragraph(
      ctx,
      `Pages counted in a ${a.era === "split-rss" ? "thread's cache" : "CPU's slot"} but not yet in the shared count, summed over file + anon + shmem.`,
    ).map(style.dim),
    ...lines,
    ...paragraph(ctx, residueMeaning(a)).map(style.dim),
  ];
}

function bound(ctx: Context): string[] {
  const { a } = ctx;
  const heading = a.era === "split-rss" ? "THE BOUND FOR THIS PROCESS" : "THE BOUND FOR THIS CPU COUNT";
  return [title(ctx, heading), ...paragraph(ctx, boundSentences(a).join(" "))];
}

function readers(ctx: Context): string[] {
  const { a, style } = ctx;
  if (a.rss === null) return [title(ctx, "WHO SEES WHAT"), ...paragraph(ctx, `Not matched: ${NO_ESTIMATE}.`)];
  const paint = (verdict: string, text: string) =>
    verdict === "cached" ? style.yellow(text) : verdict === "exact" ? style.green(text) : text;
  const rows = a.readers.map((r) => [READERS[r.reader].label, String(r.pages), verdictWords(r, a.era)]);
  const padded = padColumns(rows, ["left", "right", "left"]);
  const lines: string[] = [];
  a.readers.forEach((r, i) => {
    const [label, pages, verdict] = padded[i]!;
    lines.push(`${INDENT}${label}  ${pages}  ${paint(r.verdict, verdict!.trimEnd())}`);
    lines.push(...wrap(`read by ${READERS[r.reader].usedBy}`, ctx.width, `${INDENT}    `).map(style.dim));
  });
  if (!a.readers.some((r) => r.reader === "smaps_rollup")) {
    lines.push(...wrap(`${READERS.smaps_rollup.label}: ${SMAPS_NOT_READ}`, ctx.width, INDENT).map(style.dim));
  }
  return [title(ctx, "WHO SEES WHAT, in pages"), ...paragraph(ctx, readersMatched(a.rss.cached, a.rss.exact)).map(style.dim), ...lines];
}

function explanation(ctx: Context): string[] {
  return [title(ctx, "WHAT IT MEANS"), ...paragraph(ctx, explain(ctx.a, ctx.s.hello).join(" "))];
}

export function renderText(exact: AnalysedSample, opts: TextOptions): string {
  // the target's strings (comm, kernel release, the sentences quoting it) made printable here, once
  const s = printableStrings(exact);
  const ctx: Context = {
    s,
    a: s.analysis,
    style: makeStyle(opts.color),
    width: Math.min(opts.width ?? MAX_WIDTH, MAX_WIDTH),
  };
  const sections = [header, counters, residue, bound, readers, explanation].map((section) => section(ctx).join("\n"));
  return `${sections.join("\n\n")}\n`;
}
