// Who sees what: which RSS value each /proc reader showed in this very sample. Decided by
// comparing numbers, never from the kernel version, because stable backports (the v6.16 fix
// reached 6.6.y and 6.12.y) blur the version line.
import type { ProcReadings } from "../schema/helper-line.js";
import type { Analysis, ReaderName, ReaderVerdict } from "./types.js";

export interface ReaderDescription {
  label: string;
  usedBy: string;
}

/**
 * Each "used by" was checked against the tool's source and, where the tool is at hand, with
 * `strace -f -e trace=openat` (procps-ng 4.0.2 here): only readers seen reading that file are named.
 */
export const READERS: Record<ReaderName, ReaderDescription> = {
  // psutil/_pslinux.py Process.memory_info(): opens "%s/%s/statm" and takes rss from its 2nd field.
  // procps-ng top: EU_RES is PIDS_MEM_RES (top/top.c), which library/pids.c fills from f_statm;
  // strace of `top -b -n1 -p PID` opens .../statm.
  statm: { label: "/proc/PID/statm resident", usedBy: "psutil memory_info().rss, top RES" },
  // procps-ng ps: pr_rss() prints VM_RSS (ps/output.c), which readproc fills from status' VmRSS;
  // strace of `ps -o rss -p PID` opens only .../stat and .../status, never statm.
  status: { label: "/proc/PID/status VmRSS", usedBy: "ps RSS (ps -o rss, ps aux), grep VmRSS" },
  // libuv src/unix/linux.c uv_resident_set_memory() (Node's process.memoryUsage().rss) opens
  // /proc/self/stat and reads the field after 22 more spaces, the 24th; strace of
  // `node -e 'process.memoryUsage.rss()'` opens /proc/self/stat. prometheus/procfs proc_stat.go
  // ProcStat.ResidentMemory() = RSS (stat field 24) × page size, which client_golang's process
  // collector exports as process_resident_memory_bytes.
  stat: {
    label: "/proc/PID/stat field 24 (rss)",
    usedBy: "Node process.memoryUsage().rss, Prometheus process_resident_memory_bytes",
  },
  // psutil/_pslinux.py memory_full_info(): uss and pss from _parse_smaps_rollup() (rss still from
  // memory_info(), so statm). HotSpot: openjdk/jdk PR 27192 (JDK-8359104) takes the RSS of its
  // process-memory query from smaps_rollup; its other reports still read status.
  smaps_rollup: {
    label: "/proc/PID/smaps_rollup Rss",
    usedBy: "psutil memory_full_info() uss/pss, HotSpot's RSS query since JDK-8359104",
  },
};

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
  return { reader, ...READERS[reader], pages, verdict: verdictOf(pages, cachedRss, exactRss) };
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
      ...READERS.smaps_rollup,
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
