// The sentences about a procfs estimate: what /proc alone showed, the bound it implies, and that
// it is an estimate, said in every sentence; or, when the reads never agreed, why there is none.
import { exactSourceOf } from "../analysis/readers.js";
import type { Analysis, RssDrift } from "../analysis/types.js";
import type { HelloLine } from "../schema/helper-line.js";
import { NO_ESTIMATE } from "./backends.js";
import { boundFormula } from "./bound.js";
import { ERA_FOUND } from "./era.js";
import { formatPages, pagesAndBytes } from "./quantities.js";
import { readerFiles } from "./readers.js";
import { joinList } from "./sentence.js";

function sizeOf(pages: number, a: Analysis): string {
  return pagesAndBytes(pages, a.pageSize);
}

/** The estimate's view of the readers: nothing was named before, so name both groups. */
function estimatedReaders(a: Analysis): string | null {
  const exact = readerFiles(a, "exact");
  const cached = readerFiles(a, "cached");
  const parts: string[] = [];
  if (exact.length > 0) parts.push(`${joinList(exact)} ${exact.length === 1 ? "tracks" : "track"} the exact sum`);
  if (cached.length > 0) parts.push(`${joinList(cached)} ${cached.length === 1 ? "tracks" : "track"} the cached count`);
  return parts.length > 0 ? `By this estimate, ${parts.join(" and ")}.` : null;
}

/** "era percpu, guessed from the kernel release 6.8.0-45-generic" */
function eraWords(a: Analysis, hello: HelloLine): string {
  return `era ${a.era}, ${ERA_FOUND[a.eraSource]}${a.eraSource === "version" ? ` ${hello.kernel}` : ""}`;
}

function boundOfEstimate(a: Analysis, hello: HelloLine): string {
  const { bound } = a;
  if (bound.era === "percpu") {
    return (
      `The estimated bound for this ${a.onlineCpus}-CPU machine is ${sizeOf(bound.pagesPerCounter, a)} per counter, ` +
      `${sizeOf(bound.pagesForRss, a)} for VmRSS (${eraWords(a, hello)}).`
    );
  }
  if (bound.era === "split-rss") {
    return `The estimated bound is ${boundFormula(bound)} = ${sizeOf(bound.pagesPerCounter, a)} per counter (${eraWords(a, hello)}).`;
  }
  return `The estimate has no bound: ${eraWords(a, hello)}.`;
}

/** The procfs backend sees no counters: every sentence is an estimate, and says so. */
export function explainEstimate(a: Analysis & { rss: RssDrift }, hello: HelloLine): string[] {
  const { cached, exact, driftPages } = a.rss;
  const sentences: string[] = [];
  const exactSource = exactSourceOf(a);
  const drift = driftPages === 0 ? "the estimate sees no drift right now" : `the estimated drift is ${sizeOf(driftPages, a)}`;
  if (exactSource === "smaps_rollup") {
    sentences.push(
      `Estimate from /proc alone (no kernel backend): /proc/PID/stat, always the cached count, shows ${formatPages(cached)} and ` +
        `smaps_rollup's page-table walk ${formatPages(exact)}, so ${drift}.`,
    );
  } else if (cached !== exact) {
    sentences.push(
      `Estimate from /proc alone (no kernel backend, no smaps_rollup): /proc/PID/stat, always the cached count, shows ` +
        `${formatPages(cached)} and statm ${formatPages(exact)}, so statm reads the exact sum here and ${drift}.`,
    );
  } else {
    sentences.push(
      `Estimate from /proc alone (no kernel backend, no smaps_rollup): /proc/PID/stat and statm both show ${formatPages(cached)}, ` +
        "so this estimate cannot tell whether pages are parked; read smaps_rollup too (--smaps) for a page-table walk.",
    );
  }
  const { bound } = a;
  sentences.push(boundOfEstimate(a, hello));
  const readers = exactSource === "smaps_rollup" ? estimatedReaders(a) : null;
  if (readers) sentences.push(readers);
  const tolerance = bound.pagesPerCounter > 0 ? ` or allow the estimated tolerance of ${sizeOf(bound.pagesPerCounter, a)} per counter` : "";
  sentences.push(
    `This is an estimate: the exact numbers need the bpf or drgn backend (\`rssdrift doctor\` names what stops them here); for a test, read smaps_rollup${tolerance}.`,
  );
  return sentences;
}

/** The estimate withheld: say why, and what would give a number. */
export function explainUnstable(a: Analysis, hello: HelloLine): string[] {
  return [
    `Estimate from /proc alone (no kernel backend): ${NO_ESTIMATE}. The files are read one after another, and ` +
      "no two consecutive rounds of reads agreed with every thread asleep or stopped, so their difference could be the process's own mapping or unmapping of pages, not drift.",
    boundOfEstimate(a, hello),
    "Read it again when the process is paused (scripts/test-side has a pause helper), or run rssdrift as root with a kernel backend (bpf or drgn), which reads the counters themselves.",
  ];
}
