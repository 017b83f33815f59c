// Two to four plain-English sentences about one analysed sample: how much can hide, where it
// hides right now, who shows which value on this kernel (decided from the sample), and what a
// test should do. Era-aware; an estimate's sentences are estimate-explanation.ts's.
import type { Analysis, RankedSlot, RssDrift } from "../analysis/types.js";
import { RSS_COUNTERS, type CounterName, type HelloLine } from "../schema/helper-line.js";
import { boundFormula, PERCPU_BOUND_RULE, THREAD_CACHE_RULE } from "./bound.js";
import { COUNTER_ADJECTIVES, slotName } from "./counters.js";
import { explainEstimate, explainUnstable } from "./estimate-explanation.js";
import { countOf, formatBytes, formatPages, pagesAndBytes } from "./quantities.js";
import { READ_SMAPS_ROLLUP, readerFiles } from "./readers.js";
import { asSentence, joinList } from "./sentence.js";

/** an analysis with an RSS figure: every one except an unstable estimate */
type Measured = Analysis & { rss: RssDrift };

function sizeOf(pages: number, a: Analysis): string {
  return pagesAndBytes(pages, a.pageSize);
}

/** the RSS counters that hold residue in any slot */
function countersWithResidue(a: Analysis): CounterName[] {
  return (a.counters ?? [])
    .filter((c) => (RSS_COUNTERS as readonly CounterName[]).includes(c.name) && c.residue.length > 0)
    .map((c) => c.name);
}

/**
 * "32 anonymous pages (128 KiB) sit on CPU 3" or "216 pages (864 KiB) sit on 4 CPUs, the most on
 * CPU 2 (73 pages, 292 KiB)"; null when no slot holds pages
 */
function whereItSits(a: Analysis): string | null {
  const slots = a.residue;
  if (slots.length === 0) return null;
  const total = slots.reduce((sum, s) => sum + s.pages, 0);
  const only = countersWithResidue(a);
  const adjective = only.length === 1 ? `${COUNTER_ADJECTIVES[only[0]!]} ` : "";
  const top = slots[0]!;
  const amount = `${total} ${adjective}${Math.abs(total) === 1 ? "page" : "pages"} (${formatBytes(total * a.pageSize)})`;
  const on = top.kind === "cpu" ? "on" : "in";
  if (slots.length === 1) return top.kind === "cpu" ? `${amount} sit on ${slotName(top)}` : `${amount} sit in ${slotName(top)}'s cache`;
  const holders = top.kind === "cpu" ? `${slots.length} CPUs` : `${slots.length} threads' caches`;
  return `${amount} sit ${on} ${holders}, the most ${on} ${slotName(top)} (${formatPages(top.pages)}, ${formatBytes(top.bytes)})`;
}

/** "so /proc/PID/stat under-reports by 864 KiB": names every reader that shows the cached count */
function consequence(a: Measured): string {
  const { driftPages, driftBytes } = a.rss;
  if (driftPages === 0) return "they cancel out, so the RSS total is right for now";
  const direction = driftPages > 0 ? "under-report" : "over-report";
  const cached = readerFiles(a, "cached");
  const by = formatBytes(Math.abs(driftBytes));
  if (cached.length === 0) return `so the cached count is off by ${by}, though no /proc reader sampled here shows it`;
  return `so ${joinList(cached)} ${direction}${cached.length === 1 ? "s" : ""} by ${by}`;
}

/** what is parked now and who shows it; for a sample with drift or residue */
function rightNow(a: Measured): string {
  const where = whereItSits(a);
  if (where) return `right now ${where}, ${consequence(a)}`;
  // drift without residue: a negative count clamped to 0, or a live read that raced the process
  return `right now no slot holds pages, yet the exact sum is ${formatPages(a.rss.driftPages)} off the cached count (a clamped negative count or a racing read), ${consequence(a)}`;
}

function boundAndResidue(a: Measured, hello: HelloLine): string {
  const { bound } = a;
  const drifting = a.residue.length > 0 || a.rss.driftPages !== 0;
  switch (bound.era) {
    case "percpu": {
      const machine = `On this ${a.onlineCpus}-CPU machine`;
      const hide = `up to ${sizeOf(bound.pagesPerCounter, a)} in per-CPU slots`;
      if (!drifting) return `${machine} there is no drift right now, but each counter can hide ${hide}.`;
      return `${machine} each counter can hide ${hide}; ${rightNow(a)}.`;
    }
    case "split-rss": {
      const caching = `${THREAD_CACHE_RULE}, so with ${countOf(bound.threads ?? 1, "thread")} a counter can lag by ≈ ${sizeOf(bound.pagesPerCounter, a)}`;
      if (!drifting) return `There is no drift right now, but ${caching}.`;
      return `On this kernel ${caching}; ${rightNow(a)}.`;
    }
    case "none": {
      const why = hello.layout.includes("percpu_counter")
        ? "a uniprocessor build: its struct percpu_counter has no per-CPU slots"
        : "its threads have no task->rss_stat cache";
      return `This kernel keeps no RSS cache for this process (${why}), so the cached and the exact count are the same and every reader shows the exact count.`;
    }
    case "unknown":
      return "The counter layout of this kernel is unknown, so rssdrift cannot bound the drift.";
  }
}

/** Negative slots are real and confusing: say what they are. */
function negativeSlots(a: Analysis): string | null {
  const negatives: string[] = [];
  let kind: RankedSlot["kind"] = "cpu";
  for (const counter of a.counters ?? []) {
    for (const slot of counter.residue) {
      if (slot.pages < 0) {
        kind = slot.kind;
        negatives.push(`${slotName(slot)}: ${slot.pages} ${COUNTER_ADJECTIVES[counter.name]}`);
      }
    }
  }
  if (negatives.length === 0) return null;
  const listed = joinList(negatives.slice(0, 3)) + (negatives.length > 3 ? ` and ${negatives.length - 3} more` : "");
  return kind === "cpu"
    ? `Negative slots (${listed}) are frees on a CPU other than the one that faulted the pages in; they cancel part of the rest.`
    : `Negative caches (${listed}) come from a thread's faults replacing pages counted elsewhere (copy-on-write, swap-in); they cancel part of the rest.`;
}

/**
 * Who shows which value, beyond the readers the first sentence already named as under-reporting
 * (a reader can only track the cached count when there is drift, and then that sentence names it).
 */
function readersSentence(a: Measured): string | null {
  const parts: string[] = [];
  const exact = readerFiles(a, "exact");
  const cached = a.readers.filter((r) => r.verdict === "cached").map((r) => r.reader);
  const both = readerFiles(a, "both");
  const neither = readerFiles(a, "neither");
  if (exact.length > 0) parts.push(`${joinList(exact)} ${exact.length === 1 ? "is" : "are"} exact on this kernel`);
  // statm showing the cached count while there is drift: the kernel lacks the v6.16 fix (or its backport)
  if (a.era === "percpu" && cached.includes("statm")) parts.push("this kernel lacks the v6.16 fix that makes statm and status exact");
  // mm/oom_kill.c oom_badness(): get_mm_rss(); kernel/sys.c getrusage(): ru_maxrss from
  // get_mm_hiwater_rss(), the max of hiwater_rss and get_mm_rss(); both the cached sum
  if (cached.includes("stat")) parts.push("the OOM killer and getrusage() read the cached count too");
  if (both.length > 0) {
    parts.push(`with no drift right now this sample cannot tell whether ${joinList(both)} read the cached or the exact count`);
  }
  if (neither.length > 0) parts.push(`${joinList(neither)} matched neither (the memory changed between the reads)`);
  const smaps = a.readers.find((r) => r.reader === "smaps_rollup");
  if (smaps) {
    parts.push(
      smaps.agreesWithExact
        ? "smaps_rollup's page-table walk agrees with the exact sum"
        : `smaps_rollup's page-table walk is ${formatPages(smaps.pages - a.rss.exact)} off the exact sum (the memory changed between the reads)`,
    );
  }
  if (parts.length === 0) return null;
  return asSentence(parts.join("; "));
}

function advice(a: Analysis): string {
  const { bound } = a;
  const statmExact = a.readers.some((r) => r.reader === "statm" && r.verdict === "exact");
  const forATest = statmExact ? "For a test that must also pass on kernels without the v6.16 fix" : "For a test";
  switch (bound.era) {
    case "percpu":
      return (
        `${forATest}, ${READ_SMAPS_ROLLUP}, or assert with a tolerance of ${PERCPU_BOUND_RULE} = ` +
        `${sizeOf(bound.pagesPerCounter, a)} per counter, ${sizeOf(bound.pagesForRss, a)} for VmRSS.`
      );
    case "split-rss":
      return `${forATest}, ${READ_SMAPS_ROLLUP}, or allow ${boundFormula(bound)} = ${sizeOf(bound.pagesPerCounter, a)}.`;
    case "none":
      return "A test may trust statm on this kernel, but kernels that cache RSS per thread (2.6.34 to 6.1) or per CPU (6.2 and later) need smaps_rollup or a tolerance.";
    case "unknown":
      return `For a test, ${READ_SMAPS_ROLLUP}.`;
  }
}

export function explain(a: Analysis, hello: HelloLine): string[] {
  if (a.rss === null) return explainUnstable(a, hello);
  const measured: Measured = { ...a, rss: a.rss };
  if (a.estimate) return explainEstimate(measured, hello);
  // with no cache, "cannot tell cached from exact" would be noise: they are one number
  const readers = a.era === "none" ? null : readersSentence(measured);
  const sentences = [boundAndResidue(measured, hello), negativeSlots(a), readers, advice(a)];
  return sentences.filter((s): s is string => s !== null);
}
