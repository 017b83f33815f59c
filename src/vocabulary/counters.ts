// The words for the counters and their residue: what "cached" and "exact" are on each era and
// backend, the kind of page each counter counts, and a slot's name.
import type { Analysis, RankedSlot } from "../analysis/types.js";
import { exactSourceOf } from "../analysis/readers.js";
import type { CounterName } from "../schema/helper-line.js";

/** The kind of page a counter counts, as an adjective: "32 anonymous pages". */
export const COUNTER_ADJECTIVES: Record<CounterName, string> = {
  file: "file-backed",
  anon: "anonymous",
  shmem: "shared-memory",
  swap: "swapped-out",
};

/** "CPU 3" or "thread 373" */
export function slotName(slot: Pick<RankedSlot, "kind" | "slot">): string {
  return slot.kind === "cpu" ? `CPU ${slot.slot}` : `thread ${slot.slot}`;
}

/** What a column of numbers is: "exact = percpu_counter_sum(): count + every online CPU's slot". */
export interface ColumnMeaning {
  term: "cached" | "exact";
  /** "≈" where an estimate stands in for the counter */
  sign: "=" | "≈";
  /** where the number comes from: a kernel function, or a /proc file for the estimate */
  source: string;
  /** what that is, in plain words; null where the source says it */
  what: string | null;
  estimate: boolean;
}

export function cachedMeaning(a: Pick<Analysis, "estimate">): ColumnMeaning {
  return a.estimate
    ? { term: "cached", sign: "=", source: "/proc/PID/stat rss", what: "always the cached sum", estimate: true }
    : { term: "cached", sign: "=", source: "get_mm_counter()", what: "the shared count, clamped at 0", estimate: false };
}

export function exactMeaning(a: Pick<Analysis, "estimate" | "readers" | "era">): ColumnMeaning {
  const exact = (sign: "=" | "≈", source: string, what: string | null, estimate = false): ColumnMeaning => ({
    term: "exact",
    sign,
    source,
    what,
    estimate,
  });
  switch (exactSourceOf(a)) {
    case "smaps_rollup":
      return exact("≈", "smaps_rollup Rss", "a page-table walk", true);
    case "statm":
      return exact("≈", "statm resident", "exact only on kernels with the v6.16 fix", true);
    case "counters":
      if (a.era === "split-rss") return exact("=", "the mm's count + every thread's cache", null);
      if (a.era === "none") return exact("=", "cached", "there is no cache");
      return exact("=", "percpu_counter_sum()", "count + every online CPU's slot");
  }
}

/** "cached = get_mm_counter(): the shared count, clamped at 0", "exact ≈ smaps_rollup Rss: a page-table walk (estimate)" */
export function meaningWords(m: ColumnMeaning): string {
  return `${meaningSource(m)}${m.what ? `: ${m.what}` : ""}${m.estimate ? " (estimate)" : ""}`;
}

/** "cached = get_mm_counter()", "exact ≈ smaps_rollup Rss": where there is room for no more */
export function meaningSource(m: ColumnMeaning): string {
  return `${m.term} ${m.sign} ${m.source}`;
}

/** What the drift column is. */
export const DRIFT_MEANING = "drift = exact − cached";
/** What the RSS row sums, and why swap is not in it. */
export const RSS_MEANING = "RSS = file + anon + shmem: swap is not resident";

/** Where pages park: "per-CPU slots" (percpu era) or "per-thread caches" (split-rss era). */
export function slotPlaces(era: Analysis["era"]): string {
  return era === "split-rss" ? "per-thread caches" : "per-CPU slots";
}

/** Where a kernel backend sees residue that the procfs estimate cannot. */
export const SLOTS_NOT_VISIBLE =
  "not visible from /proc: only a kernel backend (bpf or drgn) can read the per-CPU slots or per-thread caches";

/** A kernel without any cache (era none). */
export const NO_SLOTS = "this kernel keeps no per-CPU or per-thread cache: nothing can be parked";
