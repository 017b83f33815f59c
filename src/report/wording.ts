// Words the text and Markdown reports share, so both say the same thing the same way.
import { boundFor } from "../analysis/bound.js";
import { formatBytes, formatPages, formatPercent, formatSignedBytes, formatSignedPages } from "../analysis/format-bytes.js";
import { NO_ESTIMATE } from "../analysis/explanation.js";
import { exactSourceOf } from "../analysis/readers.js";
import type { AnalysedSample, Analysis, RankedSlot, ReaderVerdict, RssDrift } from "../analysis/types.js";
import { RSS_COUNTERS, type BpfSetup, type Era } from "../schema/helper-line.js";
import { skipLine } from "../sources/backend-choice.js";

export const ERA_WORDS: Record<Era, string> = {
  percpu: "per-CPU counters (v6.2+)",
  "split-rss": "per-thread caches (v2.6.34 to v6.1)",
  none: "no RSS cache",
  unknown: "unknown layout",
};

export function eraLine(a: Analysis): string {
  const how = a.eraSource === "type" ? "detected from types" : "guessed from the version";
  return `era ${a.era}: ${ERA_WORDS[a.era]}; ${how}`;
}

const OFFSETS_WORDS: Record<BpfSetup["per_cpu_offsets"], string> = {
  kallsyms: "per-CPU offsets from kallsyms",
  runqueues: "per-CPU offsets derived from the runqueues",
  none: "no per-CPU offsets needed",
};

/** who produced the numbers: "bpf (BTF, per-CPU offsets from kallsyms)", "drgn 0.0.31", or the procfs estimate */
export function sourceWords(s: AnalysedSample): string {
  if (s.analysis.estimate) return "procfs estimate (no kernel backend)";
  if (s.hello.backend === "bpf") return `bpf (BTF${s.hello.bpf ? `, ${OFFSETS_WORDS[s.hello.bpf.per_cpu_offsets]}` : ""})`;
  return `drgn ${s.hello.drgn ?? "(version unknown)"}`;
}

/** one line per backend that --backend auto did not use, with why and the fix */
export function skippedBackendLines(s: AnalysedSample): string[] {
  return (s.backend?.skipped ?? []).map((skip) => skipLine(skip));
}

/** why a report is an estimate: the backends auto skipped (named above it), or the user's choice */
export function estimateWords(s: AnalysedSample): string {
  const what = "read from /proc alone, so there are no per-counter or per-CPU numbers";
  if (s.backend?.skipped.length) {
    const names = s.backend.skipped.map((skip) => skip.backend).join(" and ");
    return `${what}: ${names} could not run here (why and the fix: the line${s.backend.skipped.length > 1 ? "s" : ""} above).`;
  }
  return `${what}; --backend bpf or drgn reads the real counters (\`rssdrift doctor\` says what they need here).`;
}

export function machineLine(s: AnalysedSample): string {
  const { hello, analysis: a } = s;
  const batch = a.batch === null ? "batch unknown" : `batch ${a.batch}`;
  const threads = `${s.sample.threads} ${s.sample.threads === 1 ? "thread" : "threads"}`;
  return `${a.onlineCpus} of ${hello.cpus.possible.length} CPUs online · ${batch} · page size ${formatBytes(a.pageSize)} · ${threads}`;
}

/** what "exact" means on this era, for the counters table */
export function exactMeaning(a: Analysis): string {
  switch (exactSourceOf(a)) {
    case "smaps_rollup":
      return "exact ≈ smaps_rollup Rss, a page-table walk (estimate)";
    case "statm":
      return "exact ≈ statm resident (estimate: exact only on kernels with the v6.16 fix)";
    case "counters":
      if (a.era === "split-rss") return "exact = the mm's count + every thread's cache";
      if (a.era === "none") return "exact = cached: there is no cache";
      return "exact = percpu_counter_sum(): count + every online CPU's slot";
  }
}

export function cachedMeaning(a: Analysis): string {
  return a.estimate
    ? "cached = /proc/PID/stat rss, always the cached sum (estimate)"
    : "cached = get_mm_counter(): the shared count, clamped at 0";
}

/** Instead of the RSS row and the reader matches when the procfs reads never agreed. */
export const NO_ESTIMATE_WORDS = `${NO_ESTIMATE[0]!.toUpperCase()}${NO_ESTIMATE.slice(1)} (no two consecutive rounds of reads of /proc agreed with every thread asleep or stopped, and a torn read is not drift).`;

/** the drift columns of a counter or RSS row: "+42", "+168 KiB", "34%" */
export function driftCells(drift: Pick<RssDrift, "driftPages" | "driftBytes" | "fractionOfBound">): string[] {
  return [formatSignedPages(drift.driftPages), formatSignedBytes(drift.driftBytes), formatPercent(drift.fractionOfBound)];
}

export const VERDICT_WORDS: Record<ReaderVerdict["verdict"], string> = {
  cached: "tracks cached",
  exact: "tracks exact",
  both: "cannot tell (no drift now)",
  "page-walk": "page-table walk",
  neither: "neither (changed between reads)",
};

export function verdictWords(r: ReaderVerdict, a: Analysis): string {
  // with no cache there is nothing to tell apart: every reader is exact
  if (r.verdict === "both" && a.era === "none") return "exact (no cache)";
  if (r.verdict !== "page-walk") return VERDICT_WORDS[r.verdict];
  return r.agreesWithExact ? "page-table walk, = exact" : "page-table walk, ≠ exact";
}

/** pages one RSS counter holds in a slot, or null when it holds none */
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

export function residueMeaning(a: Analysis): string {
  if (a.era === "split-rss") {
    return "A thread hands its cache to the mm's count every 64 page faults (and when it exits).";
  }
  const batch = a.bound.batch ?? a.batch;
  return `A CPU's slot is added to the shared count when one counter in it reaches ±${batch} (the batch); % of batch is how close its fullest counter is.`;
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
      const batch = bound.batch!;
      const larger = [32, 128, 256].filter((n) => n > a.onlineCpus).slice(0, 2);
      const growth = larger.map((n) => {
        const b = boundFor({ era: "percpu", cpus: n, pageSize: a.pageSize });
        return `${n} CPUs → ${formatPages(b.pagesPerCounter)} (${bytes(b.pagesPerCounter)})`;
      });
      return [
        `Each online CPU can park up to batch − 1 = ${batch - 1} pages per counter before it flushes, so one counter can be off by ${bound.formula} = ${formatPages(bound.pagesPerCounter)} (${bytes(bound.pagesPerCounter)}), and VmRSS (3 counters) by ${formatPages(bound.pagesForRss)} (${bytes(bound.pagesForRss)}).`,
        ...(now ? [now] : []),
        `The batch is max(32, 2 × CPUs), so above 16 CPUs the bound grows with the square of the CPU count${growth.length ? `: ${growth.join(", ")}` : ""}.`,
      ];
    }
    case "split-rss":
      return [
        `Each thread caches its RSS changes and hands them over every 64 page faults, and one file fault can map several pages at once (fault-around), so a counter can lag by ${bound.formula} = ${formatPages(bound.pagesPerCounter)} (${bytes(bound.pagesPerCounter)}).`,
        ...(now ? [now] : []),
        "In this era the bound grows with the number of threads that fault, not with the CPU count.",
      ];
    case "none":
      return ["This kernel keeps no RSS cache for the process, so cached and exact are one number: no bound is needed."];
    case "unknown":
      return ["The counter layout is unknown, so there is no bound to give."];
  }
}
