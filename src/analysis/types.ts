// What analysis makes of one sample. Pure data, numbers and codes without a sentence: the report,
// the JSON output and the Ink TUI render it with the words of src/vocabulary/.
import type { CounterName, Era, HelloLine, SampleLine } from "../schema/helper-line.js";

/** The worst-case drift of one counter for a machine like the target. */
export interface Bound {
  era: Era;
  /** percpu_counter_batch used for the bound (percpu era), else null */
  batch: number | null;
  /** online CPUs (percpu era) */
  cpus: number;
  /** threads (split-rss era) */
  threads: number | null;
  /** pages one file fault can map (fault-around), the split-rss bound's factor; else null */
  pagesPerFault: number | null;
  /** worst-case |exact − cached| of one counter, pages; 0 where no cache exists */
  pagesPerCounter: number;
  /** the same for VmRSS (three counters) */
  pagesForRss: number;
}

export interface CounterDrift {
  name: CounterName;
  /** the kernel's enum name, e.g. MM_ANONPAGES */
  kernelName: string;
  count: number;
  cached: number;
  exact: number;
  /** exact − cached, pages */
  driftPages: number;
  driftBytes: number;
  /** |drift| / bound.pagesPerCounter, or null when the bound is 0 */
  fractionOfBound: number | null;
  /** slots holding residue (pages ≠ 0), largest |pages| first */
  residue: RankedSlot[];
}

export interface RankedSlot {
  slot: number;
  kind: "cpu" | "thread";
  pages: number;
  bytes: number;
  /** |pages| / (batch − 1) for CPUs: how close the slot is to flushing; null for threads */
  fractionOfBatch: number | null;
}

export type ReaderName = "statm" | "status" | "stat" | "smaps_rollup";

/** Who sees what: whether a /proc reader matched the cached or the exact value in this sample. */
export interface ReaderVerdict {
  reader: ReaderName;
  /** the reader's RSS figure in pages */
  pages: number;
  /**
   * cached/exact: matched that value; both: cached == exact in this sample, so it cannot tell;
   * page-walk: smaps_rollup (counts page tables, not counters); neither: matched neither value
   */
  verdict: "cached" | "exact" | "both" | "page-walk" | "neither";
  /**
   * smaps_rollup only (absent for the other readers): whether its page-table walk equals this
   * sample's exact RSS; false means the memory changed between the two reads
   */
  agreesWithExact?: boolean;
}

export interface RssDrift {
  cached: number;
  exact: number;
  driftPages: number;
  driftBytes: number;
  fractionOfBound: number | null;
}

export interface Analysis {
  backend: HelloLine["backend"];
  /** true for the procfs backend: numbers are estimates from /proc, not counter reads */
  estimate: boolean;
  /**
   * true when the procfs backend's consecutive reads never agreed: the process changed while it
   * was read, so there is no estimate (rss is null, readers empty) rather than a torn one
   */
  unstable: boolean;
  era: Era;
  eraSource: HelloLine["era_source"];
  pageSize: number;
  onlineCpus: number;
  batch: number | null;
  bound: Bound;
  /** per counter; null for the procfs backend */
  counters: CounterDrift[] | null;
  /** VmRSS level: FILE + ANON + SHMEM; null when unstable (no estimate) */
  rss: RssDrift | null;
  /** residue summed over the RSS counters per slot, largest |pages| first */
  residue: RankedSlot[];
  readers: ReaderVerdict[];
}

/** A kernel backend that --backend auto tried and did not use, and why. */
export interface BackendSkip {
  backend: "bpf" | "drgn";
  /** the helper's error code, e.g. "no-btf", "bpf-refused", "no-debug-info", "sudo-password" */
  code: string;
  /** the helper's own one-line message */
  reason: string;
  /** what to do about it; null when there is nothing to say */
  hint: string | null;
}

/** How the numbers' reader was picked: what the user asked for, what ran, and what auto skipped. */
export interface BackendChoice {
  requested: "auto" | "bpf" | "drgn" | "procfs";
  used: HelloLine["backend"];
  /** in the order auto tried them; empty unless requested is "auto" */
  skipped: BackendSkip[];
}

/** One analysed sample, with the lines it came from. */
export interface AnalysedSample {
  hello: HelloLine;
  sample: SampleLine;
  analysis: Analysis;
  /** how the backend was picked; absent for a recording, which only knows hello.backend */
  backend?: BackendChoice;
}
