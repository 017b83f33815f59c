// How far the cached counts are from the exact ones, per counter and for VmRSS.
import { COUNTER_NAMES, RSS_COUNTERS, type CounterName, type CounterReading } from "../schema/helper-line.js";
import { KERNEL_COUNTER_NAMES } from "./counter-names.js";
import { rankSlots, type SlotContext } from "./residue.js";
import type { Bound, CounterDrift, RssDrift } from "./types.js";

/** |drift| / bound, or null when there is no bound to compare with (no cache, unknown layout). */
export function fractionOfBound(driftPages: number, boundPages: number): number | null {
  return boundPages > 0 ? Math.abs(driftPages) / boundPages : null;
}

/** exact − cached of each of the four counters, in the kernel's enum order of our names. */
export function counterDrifts(
  counters: Record<CounterName, CounterReading>,
  bound: Bound,
  pageSize: number,
  slots: SlotContext | null,
): CounterDrift[] {
  return COUNTER_NAMES.map((name) => {
    const { count, cached, exact, residue } = counters[name];
    const driftPages = exact - cached;
    return {
      name,
      kernelName: KERNEL_COUNTER_NAMES[name],
      count,
      cached,
      exact,
      driftPages,
      driftBytes: driftPages * pageSize,
      fractionOfBound: fractionOfBound(driftPages, bound.pagesPerCounter),
      residue: slots ? rankSlots(residue, slots) : [],
    };
  });
}

/** A VmRSS-level drift from a cached and an exact page count. */
export function rssLevelDrift(cached: number, exact: number, bound: Bound, pageSize: number): RssDrift {
  const driftPages = exact - cached;
  return {
    cached,
    exact,
    driftPages,
    driftBytes: driftPages * pageSize,
    fractionOfBound: fractionOfBound(driftPages, bound.pagesForRss),
  };
}

/**
 * VmRSS from the counters. The kernel clamps each counter on its own before summing
 * (get_mm_counter, and get_mm_counter_sum for the exact readers of v6.16+), so the exact side
 * sums max(0, exact) per counter, which is what an exact reader shows.
 */
export function rssDrift(counters: Record<CounterName, CounterReading>, bound: Bound, pageSize: number): RssDrift {
  let cached = 0;
  let exact = 0;
  for (const name of RSS_COUNTERS) {
    cached += counters[name].cached;
    exact += Math.max(0, counters[name].exact);
  }
  return rssLevelDrift(cached, exact, bound, pageSize);
}
