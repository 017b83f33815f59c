// The worst case: how many pages one cached RSS counter can hide, by era.
import type { Era } from "../schema/helper-line.js";
import type { Bound } from "./types.js";

/** lib/percpu_counter.c compute_batch_value(): the batch is never below 32 … */
export const PERCPU_BATCH_FLOOR = 32;
/** … and otherwise twice the online CPUs. */
export const PERCPU_BATCH_PER_CPU = 2;

/** percpu_counter_batch = max(32, 2 × online CPUs). */
export function percpuBatch(onlineCpus: number): number {
  return Math.max(PERCPU_BATCH_FLOOR, PERCPU_BATCH_PER_CPU * onlineCpus);
}

/** mm/memory.c (v2.6.34..v6.1): a thread hands its cached counts to the mm every 64 fault events. */
export const TASK_RSS_EVENTS_THRESH = 64;

/** mm/memory.c fault_around_bytes defaults to 64 KiB. */
const DEFAULT_FAULT_AROUND_BYTES = 65536;

/** Pages one file fault can map by default: 16 with 4 KiB pages, 1 with 64 KiB pages. */
export function defaultFaultAroundPages(pageSize: number): number {
  return Math.max(1, Math.floor(DEFAULT_FAULT_AROUND_BYTES / pageSize));
}

/** VmRSS = FILE + ANON + SHMEM. */
export const RSS_COUNTER_COUNT = 3;

export interface BoundInput {
  era: Era;
  /** online CPUs */
  cpus: number;
  /** sets the default fault-around (64 KiB of pages) */
  pageSize: number;
  /** the kernel's percpu_counter_batch when known; else computed from cpus */
  batch?: number | null;
  /** threads of the process (split-rss era); 1 when unknown */
  threads?: number | null;
  /** fault_around_bytes / page size when known (split-rss era); else the 64 KiB default */
  faultAroundPages?: number | null;
}

/**
 * The worst-case |exact − cached| for one counter and for VmRSS.
 * - percpu (v6.2+): each online CPU's slot stays within ±(batch − 1) (percpu_counter_add_batch
 *   flushes at |slot| ≥ batch), so one counter hides ≤ N × (batch − 1) pages; VmRSS sums 3 counters.
 * - split-rss (v2.6.34..v6.1): each thread's cache is synced every ≈64 faults, and one fault maps
 *   1 anon page or up to fault_around_pages file/shmem pages, so ≈ 64 × threads × pages-per-fault.
 *   The 64 events are shared by all counters of a thread, so VmRSS has the same bound, not 3×.
 * - none: no cache, no drift. unknown: the layout is not known, so there is no bound to give.
 */
export function boundFor(input: BoundInput): Bound {
  const { era, cpus } = input;
  switch (era) {
    case "percpu": {
      const batch = input.batch ?? percpuBatch(cpus);
      const pagesPerCounter = cpus * (batch - 1);
      return {
        era,
        batch,
        cpus,
        threads: null,
        pagesPerFault: null,
        pagesPerCounter,
        pagesForRss: RSS_COUNTER_COUNT * pagesPerCounter,
      };
    }
    case "split-rss": {
      const threads = input.threads ?? 1;
      const pagesPerFault = input.faultAroundPages ?? defaultFaultAroundPages(input.pageSize);
      const pagesPerCounter = TASK_RSS_EVENTS_THRESH * threads * pagesPerFault;
      return {
        era,
        batch: null,
        cpus,
        threads,
        pagesPerFault,
        pagesPerCounter,
        pagesForRss: pagesPerCounter,
      };
    }
    case "none":
    case "unknown":
      return {
        era,
        batch: null,
        cpus,
        threads: input.threads ?? null,
        pagesPerFault: null,
        pagesPerCounter: 0,
        pagesForRss: 0,
      };
  }
}

/**
 * Worst-case drift of MM_ANONPAGES alone: what an anonymous allocation (malloc, a test's buffer)
 * can miss. The whole per-counter bound in the percpu era; in the split-rss era an anon fault maps
 * one page (fault-around is for file pages), so 64 × threads.
 */
export function anonBoundPages(bound: Bound): number {
  return bound.era === "split-rss" ? TASK_RSS_EVENTS_THRESH * (bound.threads ?? 1) : bound.pagesPerCounter;
}
