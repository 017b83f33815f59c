// Who sees what: which RSS value each /proc reader showed in this very sample. Decided by
// comparing numbers, never from the kernel version, because stable backports (the v6.16 fix
// reached 6.6.y and 6.12.y) blur the version line.
import type { ProcReadings } from "../schema/helper-line.js";
import type { Analysis, ReaderName, ReaderVerdict } from "./types.js";

/** /proc shows kB; the counters count pages. */
export function kbToPages(kb: number, pageSize: number): number {
  return Math.round((kb * 1024) / pageSize);
}

export function verdictOf(pages: number, cachedRss: number, exactRss: number): ReaderVerdict["verdict"] {
  if (cachedRss === exactRss) return pages === cachedRss ? "both" : "neither";
  if (pages === cachedRss) return "cached";
  if (pages === exactRss) return "exact";
  return "neither";
}

function counterReader(reader: ReaderName, pages: number, cachedRss: number, exactRss: number): ReaderVerdict {
  return { reader, pages, verdict: verdictOf(pages, cachedRss, exactRss) };
}

/**
 * statm resident = file + anon + shmem, status VmRSS the same in kB, stat field 24 = get_mm_rss();
 * each matched against this sample's cached and exact RSS. smaps_rollup walks the page tables, so
 * it is a third opinion ("page-walk"), reported with whether it agrees with the exact sum; a
 * mismatch there means the process's memory changed between the two reads.
 */
export function readerVerdicts(proc: ProcReadings, pageSize: number, cachedRss: number, exactRss: number): ReaderVerdict[] {
  const verdicts = [
    counterReader("statm", proc.statm.resident, cachedRss, exactRss),
    counterReader("status", kbToPages(proc.status.VmRSS, pageSize), cachedRss, exactRss),
    counterReader("stat", proc.stat_rss, cachedRss, exactRss),
  ];
  if (proc.smaps_rollup !== null) {
    const pages = kbToPages(proc.smaps_rollup.Rss, pageSize);
    verdicts.push({
      reader: "smaps_rollup",
      pages,
      verdict: "page-walk",
      agreesWithExact: pages === exactRss,
    });
  }
  return verdicts;
}

/**
 * Where an analysis's exact RSS comes from: the counters (drgn), or for the procfs estimate the
 * smaps_rollup page-table walk, or statm when smaps_rollup was not read (then it may not tell).
 */
export function exactSourceOf(analysis: Pick<Analysis, "estimate" | "readers">): "counters" | "smaps_rollup" | "statm" {
  if (!analysis.estimate) return "counters";
  return analysis.readers.some((r) => r.reader === "smaps_rollup") ? "smaps_rollup" : "statm";
}
