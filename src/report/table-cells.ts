// Table cells the text and Markdown reports share, so both show a drift or a slot the same way.
import type { Analysis, RankedSlot, RssDrift } from "../analysis/types.js";
import { RSS_COUNTERS } from "../schema/helper-line.js";
import { formatPercent, formatSignedBytes, formatSignedPages } from "../vocabulary/quantities.js";

/** the drift columns of a counter or RSS row: "+42", "+168 KiB", "34%" */
export function driftCells(drift: Pick<RssDrift, "driftPages" | "driftBytes" | "fractionOfBound">): string[] {
  return [formatSignedPages(drift.driftPages), formatSignedBytes(drift.driftBytes), formatPercent(drift.fractionOfBound)];
}

/** What each RSS counter holds in each slot, indexed once: a lookup per table cell instead of a
 * scan of every counter's residue, which made a 64 000-slot Markdown report quadratic. */
export function slotPagesLookup(a: Analysis): (slot: number, counter: (typeof RSS_COUNTERS)[number]) => number | null {
  const bySlot = new Map(
    RSS_COUNTERS.map((counter) => [counter, new Map(a.counters?.find((c) => c.name === counter)?.residue.map((r) => [r.slot, r.pages]))]),
  );
  return (slot, counter) => bySlot.get(counter)?.get(slot) ?? null;
}

/** "file +22  anon +24  shmem -3": what each RSS counter holds in this slot */
export function slotBreakdown(slotPages: ReturnType<typeof slotPagesLookup>, slot: number): string {
  return RSS_COUNTERS.flatMap((counter) => {
    const pages = slotPages(slot, counter);
    return pages === null ? [] : [`${counter} ${formatSignedPages(pages)}`];
  }).join("  ");
}

/** "87% of batch" for a CPU slot: how close its fullest counter is to flushing */
export function closeness(slot: RankedSlot): string {
  return slot.fractionOfBatch === null ? "" : `${formatPercent(slot.fractionOfBatch)} of batch`;
}
