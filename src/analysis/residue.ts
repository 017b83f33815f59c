// Where the drift sits: the per-CPU slots (percpu era) or per-thread caches (split-rss era)
// that hold pages, largest first.
import { RSS_COUNTERS, type CounterName, type CounterReading, type ResidueSlot } from "../schema/helper-line.js";
import type { RankedSlot } from "./types.js";

export interface SlotContext {
  kind: "cpu" | "thread";
  pageSize: number;
  /** percpu_counter_batch; a CPU slot flushes when |pages| reaches it */
  batch: number;
}

/** largest |pages| first; equal sizes by slot number, so the order is stable */
function byMagnitude(a: RankedSlot, b: RankedSlot): number {
  return Math.abs(b.pages) - Math.abs(a.pages) || a.slot - b.slot;
}

function closenessToFlush(pages: number, context: SlotContext): number | null {
  return context.kind === "cpu" ? Math.abs(pages) / (context.batch - 1) : null;
}

/** The slots of one counter that hold pages (≠ 0), largest |pages| first. */
export function rankSlots(slots: readonly ResidueSlot[], context: SlotContext): RankedSlot[] {
  return slots
    .filter((s) => s.pages !== 0)
    .map((s) => ({
      slot: s.slot,
      kind: context.kind,
      pages: s.pages,
      bytes: s.pages * context.pageSize,
      fractionOfBatch: closenessToFlush(s.pages, context),
    }))
    .sort(byMagnitude);
}

/**
 * Residue summed over the RSS counters (file + anon + shmem) per slot, largest |pages| first.
 * A CPU flushes each counter on its own, so a summed slot's closeness to flushing is that of its
 * fullest counter, not the sum over (batch − 1).
 */
export function rssResidue(counters: Record<CounterName, CounterReading>, context: SlotContext): RankedSlot[] {
  const pagesBySlot = new Map<number, number>();
  const fullestBySlot = new Map<number, number>();
  for (const name of RSS_COUNTERS) {
    for (const { slot, pages } of counters[name].residue) {
      pagesBySlot.set(slot, (pagesBySlot.get(slot) ?? 0) + pages);
      fullestBySlot.set(slot, Math.max(fullestBySlot.get(slot) ?? 0, Math.abs(pages)));
    }
  }
  return [...pagesBySlot]
    .filter(([, pages]) => pages !== 0)
    .map(([slot, pages]) => ({
      slot,
      kind: context.kind,
      pages,
      bytes: pages * context.pageSize,
      fractionOfBatch: closenessToFlush(fullestBySlot.get(slot) ?? 0, context),
    }))
    .sort(byMagnitude);
}
