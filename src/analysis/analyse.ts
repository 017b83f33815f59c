// One sample in, one Analysis out: the entry point of the pure analysis layer.
import type { HelloLine, SampleLine } from "../schema/helper-line.js";
import { boundFor, percpuBatch } from "./bound.js";
import { counterDrifts, rssDrift, rssLevelDrift } from "./drift.js";
import { kbToPages, readerVerdicts } from "./readers.js";
import { rssResidue, type SlotContext } from "./residue.js";
import type { Analysis, Bound, RssDrift } from "./types.js";

interface Level {
  counters: Analysis["counters"];
  rss: RssDrift | null;
  residue: Analysis["residue"];
}

/** a kernel backend (bpf or drgn) read the counters: cached and exact are the kernel's own numbers. */
function fromCounters(counters: NonNullable<SampleLine["counters"]>, hello: HelloLine, bound: Bound): Level {
  const pageSize = hello.page_size;
  const slots: SlotContext | null =
    hello.slot_kind === "none" ? null : { kind: hello.slot_kind, pageSize, batch: hello.batch ?? percpuBatch(hello.cpus.online.length) };
  return {
    counters: counterDrifts(counters, bound, pageSize, slots),
    rss: rssDrift(counters, bound, pageSize),
    residue: slots ? rssResidue(counters, slots) : [],
  };
}

/**
 * The procfs backend sees no counters. /proc/PID/stat rss is the cached sum on every kernel;
 * smaps_rollup walks the page tables, so it stands in for the exact sum. Without it, statm is
 * the best guess: exact on kernels with the v6.16 fix, cached on others (then the estimate cannot tell).
 */
function fromProc(sample: SampleLine, pageSize: number, bound: Bound): Level {
  const { proc } = sample;
  const smaps = proc.smaps_rollup;
  const exact = smaps ? kbToPages(smaps.Rss, pageSize) : proc.statm.resident;
  return {
    counters: null,
    rss: rssLevelDrift(proc.stat_rss, exact, bound, pageSize),
    residue: [],
  };
}

export function analyse(hello: HelloLine, sample: SampleLine): Analysis {
  const pageSize = hello.page_size;
  const onlineCpus = hello.cpus.online.length;
  const bound = boundFor({
    era: hello.era,
    cpus: onlineCpus,
    pageSize,
    batch: hello.batch,
    threads: sample.threads,
    faultAroundPages: hello.fault_around_pages,
  });
  // a torn read (the process changed while /proc was read) is no estimate: withheld, not shown as drift
  const unstable = sample.counters === null && sample.unstable === true;
  const level: Level = sample.counters
    ? fromCounters(sample.counters, hello, bound)
    : unstable
      ? { counters: null, rss: null, residue: [] }
      : fromProc(sample, pageSize, bound);
  return {
    backend: hello.backend,
    estimate: sample.counters === null,
    unstable,
    era: hello.era,
    eraSource: hello.era_source,
    pageSize,
    onlineCpus,
    batch: hello.batch,
    bound,
    ...level,
    readers: level.rss ? readerVerdicts(sample.proc, pageSize, level.rss.cached, level.rss.exact) : [],
  };
}
