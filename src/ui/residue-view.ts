// The residue section as data: every slot (each online CPU, or each thread) with its pages, in
// the order the user picked, and the shape of the heat map at a width. Pure, computed once per
// sample and sort order, so scrolling and redraws cost nothing.
import type { Analysis } from "../analysis/types.js";
import { RSS_COUNTERS, type HelloLine, type SampleLine } from "../schema/helper-line.js";
import { formatSignedPages } from "./format.js";

export type ResidueSort = "slot" | "magnitude";

export interface SlotView {
  slot: number;
  /** summed over the RSS counters */
  pages: number;
  bytes: number;
  /**
   * signed heat in [-1, 1] (beyond for an over-full slot): CPUs, the fullest counter's |pages|
   * over batch − 1, signed like `pages`; threads, |pages| over the largest |pages| of any thread
   */
  heat: number;
  /** CPUs: how close to flushing (|fullest counter| / (batch − 1)); threads: null */
  fractionOfBatch: number | null;
  /** "anon +10 file +2": the counters holding this slot's pages */
  breakdown: string;
}

export interface ResidueModel {
  kind: "cpu" | "thread";
  /** every slot: all online CPUs (zeros too), or every thread the sample lists */
  slots: SlotView[];
  /** slots holding pages */
  holding: number;
  /** the heat scale: batch − 1 for CPUs, the largest |pages| for threads */
  scale: number;
  /** characters of the widest slot id, so that cpu 7 and cpu 117 line up and are never cut */
  idWidth: number;
}

/** Every slot of the sample, in `sort` order (magnitude: largest |pages| first, ties by id). */
export function residueModel(hello: HelloLine, sample: SampleLine, analysis: Analysis, sort: ResidueSort): ResidueModel | null {
  if (analysis.estimate || hello.slot_kind === "none" || !sample.counters) return null;
  const kind = hello.slot_kind;
  const held = new Map(analysis.residue.map((r) => [r.slot, r]));
  const { counters } = sample;
  // threads: every tid the RSS counters list (the residue is summed over those)
  const ids =
    kind === "cpu" ? [...hello.cpus.online] : [...new Set(RSS_COUNTERS.flatMap((name) => counters[name].residue.map((r) => r.slot)))];
  const breakdowns = new Map<number, string[]>();
  for (const counter of analysis.counters ?? []) {
    for (const r of counter.residue) {
      const words = breakdowns.get(r.slot) ?? [];
      words.push(`${counter.name} ${formatSignedPages(r.pages)}`);
      breakdowns.set(r.slot, words);
    }
  }
  // reduce, not a spread: the list can hold hundreds of thousands of slots
  const largest = analysis.residue.reduce((m, r) => Math.max(m, Math.abs(r.pages)), 1);
  const scale = kind === "cpu" && analysis.batch !== null ? analysis.batch - 1 : largest;
  const slots = ids.map((slot): SlotView => {
    const r = held.get(slot);
    const pages = r?.pages ?? 0;
    const magnitude = r?.fractionOfBatch ?? Math.abs(pages) / scale;
    return {
      slot,
      pages,
      bytes: r?.bytes ?? 0,
      heat: Math.sign(pages) * magnitude,
      fractionOfBatch: kind === "cpu" ? (r?.fractionOfBatch ?? 0) : null,
      breakdown: (breakdowns.get(slot) ?? []).join(" "),
    };
  });
  slots.sort(sort === "slot" ? (a, b) => a.slot - b.slot : (a, b) => Math.abs(b.pages) - Math.abs(a.pages) || a.slot - b.slot);
  const idWidth = ids.reduce((m, id) => Math.max(m, String(id).length), 1);
  return { kind, slots, holding: held.size, scale, idWidth };
}

/** the order a view starts in: by id while every slot is listed, else (the heat map shows them
 * all by id) the largest holders first */
export function defaultSort(slotCount: number): ResidueSort {
  return slotCount <= LIST_ALL_UP_TO ? "slot" : "magnitude";
}

export interface HeatMapShape {
  /** cells in one row of the map */
  perRow: number;
  rows: number;
  /** characters of the row label (the first slot id of the row, right-aligned, and a space) */
  labelWidth: number;
}

/** cells are grouped by 8 with a space between groups, so a CPU's id can be counted off */
export const HEAT_GROUP = 8;

/**
 * How many cells a row holds at `width` columns, and how many rows `count` slots take: as many
 * groups of 8 as fit, or a power of two (rows starting at CPU 0, 64, 128 …) when that takes no
 * more rows.
 */
export function heatMapShape(count: number, idWidth: number, width: number): HeatMapShape {
  const labelWidth = idWidth + 1;
  const groups = Math.max(1, Math.floor((width - labelWidth + 1) / (HEAT_GROUP + 1)));
  const widest = Math.min(groups * HEAT_GROUP, Math.max(HEAT_GROUP, Math.ceil(count / HEAT_GROUP) * HEAT_GROUP));
  const rows = Math.ceil(count / widest);
  let round = HEAT_GROUP;
  while (round * 2 <= widest) round *= 2;
  const perRow = Math.ceil(count / round) === rows ? round : widest;
  return { perRow, rows, labelWidth };
}

/** slots listed without a heat map; beyond this the map shows them all and the list scrolls */
export const LIST_ALL_UP_TO = 8;
/**
 * the most list rows drawn at once, however tall the terminal (or unknown, as in tests): the list
 * scrolls, and a frame of hundreds of thousands of rows would cost gigabytes to lay out
 */
export const LIST_ROWS_AT_MOST = 256;

/**
 * The heights the residue section can be drawn at (see layout.ts): two lines (title and the
 * largest holders), or the full list when it is short; for more slots, the heat map, its legend
 * and two, then LIST_ALL_UP_TO, rows of the list, which then grows by the lines left.
 */
export function residueHeights(model: ResidueModel | null, width: number): { heights: number[]; grow: number } {
  if (model === null) return { heights: [2], grow: 0 };
  const count = model.slots.length;
  if (count <= LIST_ALL_UP_TO) return { heights: [2, 1 + Math.max(1, count)], grow: 0 };
  const map = heatMapShape(count, model.idWidth, width).rows + 1;
  return { heights: [2, 1 + map + 2, 1 + map + LIST_ALL_UP_TO], grow: Math.min(count, LIST_ROWS_AT_MOST) - LIST_ALL_UP_TO };
}

/** the first row of the list after a scroll of `delta` rows, kept within the list */
export function scrolled(top: number, delta: number, count: number, visible: number): number {
  return Math.max(0, Math.min(top + delta, count - visible));
}
