// Who reads what: each /proc reader of RSS by the name users know, the tools that read it (each
// one checked), and the words for what it matched in a sample.
import type { Analysis, ReaderName, ReaderVerdict } from "../analysis/types.js";
import type { Era } from "../schema/helper-line.js";

export interface ReaderWords {
  /** what the user knows it as, e.g. "/proc/PID/statm resident" */
  label: string;
  /** the file alone, as a sentence names it, e.g. "/proc/PID/statm" */
  file: string;
  /** who reads it, e.g. "psutil memory_info().rss, top RES" */
  usedBy: string;
}

/**
 * Each "used by" was checked against the tool's source and, where the tool is at hand, with
 * `strace -f -e trace=openat` (procps-ng 4.0.2 here): only readers seen reading that file are named.
 */
export const READERS: Record<ReaderName, ReaderWords> = {
  // psutil/_pslinux.py Process.memory_info(): opens "%s/%s/statm" and takes rss from its 2nd field.
  // procps-ng top: EU_RES is PIDS_MEM_RES (top/top.c), which library/pids.c fills from f_statm;
  // strace of `top -b -n1 -p PID` opens .../statm.
  statm: { label: "/proc/PID/statm resident", file: "/proc/PID/statm", usedBy: "psutil memory_info().rss, top RES" },
  // procps-ng ps: pr_rss() prints VM_RSS (ps/output.c), which readproc fills from status' VmRSS;
  // strace of `ps -o rss -p PID` opens only .../stat and .../status, never statm.
  status: { label: "/proc/PID/status VmRSS", file: "/proc/PID/status", usedBy: "ps RSS (ps -o rss, ps aux), grep VmRSS" },
  // libuv src/unix/linux.c uv_resident_set_memory() (Node's process.memoryUsage().rss) opens
  // /proc/self/stat and reads the field after 22 more spaces, the 24th; strace of
  // `node -e 'process.memoryUsage.rss()'` opens /proc/self/stat. prometheus/procfs proc_stat.go
  // ProcStat.ResidentMemory() = RSS (stat field 24) × page size, which client_golang's process
  // collector exports as process_resident_memory_bytes.
  stat: {
    label: "/proc/PID/stat field 24 (rss)",
    file: "/proc/PID/stat",
    usedBy: "Node process.memoryUsage().rss, Prometheus process_resident_memory_bytes",
  },
  // psutil/_pslinux.py memory_full_info(): uss and pss from _parse_smaps_rollup() (rss still from
  // memory_info(), so statm). HotSpot: openjdk/jdk PR 27192 (JDK-8359104) takes the RSS of its
  // process-memory query from smaps_rollup; its other reports still read status.
  smaps_rollup: {
    label: "/proc/PID/smaps_rollup Rss",
    file: "smaps_rollup",
    usedBy: "psutil memory_full_info() uss/pss, HotSpot's RSS query since JDK-8359104",
  },
};

/** the files of the readers that matched `verdict`, as a sentence names them: "/proc/PID/statm" */
export function readerFiles(a: Pick<Analysis, "readers">, verdict: ReaderVerdict["verdict"]): string[] {
  return a.readers.filter((r) => r.verdict === verdict).map((r) => READERS[r.reader].file);
}

// psutil/_pslinux.py memory_full_info(): uss/pss from _parse_smaps_rollup(), the rest from memory_info() (statm)
/** What a test should read instead of statm. */
export const READ_SMAPS_ROLLUP =
  "read smaps_rollup (psutil's memory_full_info() takes uss and pss from it, but its rss field is still statm)";

/** How the verdicts were found, above the readers. */
export function readersMatched(cached: number, exact: number): string {
  return `Each reader's RSS, matched against cached ${cached} and exact ${exact} in this very sample (not guessed from the kernel release).`;
}

/** The reader rssdrift did not read: how to get it. */
export const SMAPS_NOT_READ = "not read (--smaps: a page-table walk, exact but slow)";

interface VerdictWords {
  /** one word or two, for a line that lists every reader */
  short: string;
  /** a table cell (17 columns at most) */
  cell: string;
  /** why, where there is room: after the cell */
  why: string | null;
}

export const VERDICT_WORDS: Record<ReaderVerdict["verdict"], VerdictWords> = {
  cached: { short: "cached", cell: "tracks cached", why: null },
  exact: { short: "exact", cell: "tracks exact", why: null },
  both: { short: "either", cell: "cannot tell", why: "no drift now" },
  "page-walk": { short: "page walk", cell: "page-table walk", why: null },
  neither: { short: "neither", cell: "matches neither", why: "changed between reads" },
};

/** what a reader matched, in a cell: with no cache there is nothing to tell apart, every reader is exact */
export function verdictCell(r: ReaderVerdict, era: Era): string {
  return r.verdict === "both" && era === "none" ? "exact (no cache)" : VERDICT_WORDS[r.verdict].cell;
}

/** the cell and its detail where there is room: "cannot tell (no drift now)", "page-table walk, = exact" */
export function verdictWords(r: ReaderVerdict, era: Era): string {
  const cell = verdictCell(r, era);
  if (r.verdict === "page-walk") return `${cell}, ${r.agreesWithExact ? "=" : "≠"} exact`;
  const { why } = VERDICT_WORDS[r.verdict];
  return why && cell === VERDICT_WORDS[r.verdict].cell ? `${cell} (${why})` : cell;
}
