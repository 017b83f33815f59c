// The words for the bound: how many pages a cached counter can hide, and why, for the report, the
// Markdown, the live view and `rssdrift bound`. Every number in them comes from src/analysis/bound.ts.
import { boundFor, PERCPU_BATCH_FLOOR, PERCPU_BATCH_PER_CPU, RSS_COUNTER_COUNT, TASK_RSS_EVENTS_THRESH } from "../analysis/bound.js";
import type { Analysis, Bound } from "../analysis/types.js";
import { BATCH_RULE } from "./machine.js";
import { countOf, formatBytes, formatPages, formatPercent } from "./quantities.js";
import { asSentence, capitalised } from "./sentence.js";

/** How often a thread hands its cache over (split-rss era). */
export const EVERY_N_FAULTS = `every ${TASK_RSS_EVENTS_THRESH} page faults`;

/** The CPU count above which the batch, and so the bound per CPU, grows: 2N passes 32. */
const BATCH_GROWS_ABOVE = PERCPU_BATCH_FLOOR / PERCPU_BATCH_PER_CPU;

/** The percpu bound of one counter, as a rule. */
export const PERCPU_BOUND_RULE = "online CPUs × (batch − 1)";

/** What a CPU's slot does (percpu era), as a clause. */
export const CPU_SLOT_RULE =
  "each online CPU can park up to batch − 1 pages per counter in its slot before it adds them to the shared count";

/** What a thread's cache does (split-rss era), as a clause. */
export const THREAD_CACHE_RULE = `each thread caches its RSS changes and hands them to the mm's count ${EVERY_N_FAULTS}`;

/** How a bound was derived: "4 CPUs × (batch 32 − 1)", "≈ 64 faults × 5 threads × 16 pages per file fault". */
export function boundFormula(bound: Bound): string {
  switch (bound.era) {
    case "percpu":
      return `${countOf(bound.cpus, "CPU")} × (batch ${bound.batch} − 1)`;
    case "split-rss":
      return `≈ ${TASK_RSS_EVENTS_THRESH} faults × ${countOf(bound.threads ?? 1, "thread")} × ${formatPages(bound.pagesPerFault ?? 1)} per file fault`;
    case "none":
      return "no RSS cache on this kernel: cached == exact";
    case "unknown":
      return "unknown counter layout: no bound";
  }
}

/** The bound in words, with what it means now; sentences for a paragraph. */
export function boundSentences(a: Analysis): string[] {
  const { bound } = a;
  const bytes = (pages: number) => formatBytes(pages * a.pageSize);
  const now =
    bound.pagesForRss > 0 && a.rss
      ? `Now: RSS drift ${Math.abs(a.rss.driftPages)} of ${bound.era === "split-rss" ? "≈" : ""}${bound.pagesForRss} pages (${formatPercent(a.rss.fractionOfBound)} of the bound).`
      : null;
  switch (bound.era) {
    case "percpu": {
      const larger = [32, 128, 256].filter((n) => n > a.onlineCpus).slice(0, 2);
      const growth = larger.map((n) => {
        const b = boundFor({ era: "percpu", cpus: n, pageSize: a.pageSize });
        return `${n} CPUs → ${formatPages(b.pagesPerCounter)} (${bytes(b.pagesPerCounter)})`;
      });
      return [
        `${capitalised(CPU_SLOT_RULE)} (batch − 1 = ${bound.batch! - 1} here), so one counter can be off by ${boundFormula(bound)} = ${formatPages(bound.pagesPerCounter)} (${bytes(bound.pagesPerCounter)}), and VmRSS (${RSS_COUNTER_COUNT} counters) by ${formatPages(bound.pagesForRss)} (${bytes(bound.pagesForRss)}).`,
        ...(now ? [now] : []),
        `The batch is ${BATCH_RULE}, so above ${BATCH_GROWS_ABOVE} CPUs the bound grows with the square of the CPU count${growth.length ? `: ${growth.join(", ")}` : ""}.`,
      ];
    }
    case "split-rss":
      return [
        `${capitalised(THREAD_CACHE_RULE)}, and one file fault can map several pages at once (fault-around), so a counter can lag by ${boundFormula(bound)} = ${formatPages(bound.pagesPerCounter)} (${bytes(bound.pagesPerCounter)}).`,
        ...(now ? [now] : []),
        "In this era the bound grows with the number of threads that fault, not with the CPU count.",
      ];
    case "none":
      return ["This kernel keeps no RSS cache for the process, so cached and exact are one number: no bound is needed."];
    case "unknown":
      return ["The counter layout is unknown, so there is no bound to give."];
  }
}

/** What the residue of one slot means, under a residue table. */
export function residueMeaning(a: Pick<Analysis, "era" | "batch" | "bound">): string {
  if (a.era === "split-rss") return asSentence(`${THREAD_CACHE_RULE} (and when it exits)`);
  const batch = a.bound.batch ?? a.batch;
  return `A CPU's slot is added to the shared count when one counter in it reaches ±${batch} (the batch); % of batch is how close its fullest counter is.`;
}

/** `rssdrift bound`'s rule of the era, with the fault-around of this page size (split-rss). */
export function boundRuleWords(era: "percpu" | "split-rss", pagesPerFault: number): string {
  if (era === "percpu") {
    return (
      `per counter = ${PERCPU_BOUND_RULE}, with batch = ${BATCH_RULE}: ${CPU_SLOT_RULE}, ` +
      `so above ${BATCH_GROWS_ABOVE} CPUs the bound grows as ≈ ${PERCPU_BATCH_PER_CPU}·N². ` +
      `VmRSS sums file + anon + shmem, so up to ${RSS_COUNTER_COUNT}×.`
    );
  }
  return (
    `per counter ≈ ${TASK_RSS_EVENTS_THRESH} faults × threads × ${formatPages(pagesPerFault)}: ${THREAD_CACHE_RULE}, ` +
    `and one file fault maps up to ${formatPages(pagesPerFault)} (fault-around; an anonymous fault maps 1). ` +
    `The ${TASK_RSS_EVENTS_THRESH} faults are shared by a thread's counters, so VmRSS has the same bound.`
  );
}

/** The shape of the curve `rssdrift bound --plot` draws. */
export function boundCurveWords(era: "percpu" | "split-rss", pagesPerFault: number): string {
  return era === "percpu"
    ? `N × (max(${PERCPU_BATCH_FLOOR}, ${PERCPU_BATCH_PER_CPU}N) − 1): ${PERCPU_BATCH_FLOOR - 1} pages per CPU up to ${BATCH_GROWS_ABOVE} CPUs, then ≈ ${PERCPU_BATCH_PER_CPU}·N²`
    : `≈ ${TASK_RSS_EVENTS_THRESH} × T × ${formatPages(pagesPerFault)}: linear in the threads that fault`;
}
