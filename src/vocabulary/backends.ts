// The words for the backends: what read the numbers, why --backend auto passed one over, and what
// the procfs estimate is. The same on stderr, in the reports, in fleet's table and on the live view.
import type { AnalysedSample, BackendChoice, BackendSkip } from "../analysis/types.js";
import type { BpfSetup, HelloLine } from "../schema/helper-line.js";
import { asSentence } from "./sentence.js";

const OFFSETS_WORDS: Record<BpfSetup["per_cpu_offsets"], string> = {
  kallsyms: "per-CPU offsets from kallsyms",
  runqueues: "per-CPU offsets derived from the runqueues",
  none: "no per-CPU offsets needed",
};

/** The procfs backend's name wherever a backend is named. */
export const PROCFS_ESTIMATE = "procfs estimate (no kernel backend)";

/** what read the numbers: "bpf (BTF, per-CPU offsets from kallsyms)", "drgn 0.0.31", or the procfs estimate */
export function backendName(hello: Pick<HelloLine, "backend" | "bpf" | "drgn">): string {
  switch (hello.backend) {
    case "procfs":
      return PROCFS_ESTIMATE;
    case "bpf":
      return `bpf (BTF${hello.bpf ? `, ${OFFSETS_WORDS[hello.bpf.per_cpu_offsets]}` : ""})`;
    case "drgn":
      return `drgn ${hello.drgn ?? "(version unknown)"}`;
  }
}

/** "bpf not used (no-btf): this kernel has no BTF …; fix: …": the code first, so a cut line keeps it */
export function skipLine(skip: BackendSkip, withHint = true): string {
  const fix = withHint && skip.hint ? `; fix: ${skip.hint}` : "";
  return `${skip.backend} not used (${skip.code}): ${skip.reason}${fix}`;
}

/** "bpf (no-btf): …": one backend auto passed over, in a line that lists them after skippedLead() */
export function skipReason(skip: BackendSkip): string {
  return `${skip.backend} (${skip.code}): ${skip.reason}`;
}

/** "using drgn; not used: " or "estimate; not used: ": what runs, then what auto passed over */
export function skippedLead(used: BackendChoice["used"]): string {
  return `${used === "procfs" ? "estimate" : `using ${used}`}; not used: `;
}

/** What --backend auto says when it falls back to the estimate. */
export const FALLING_BACK_TO_PROCFS = "using the procfs estimate: cached from /proc/PID/stat, truth from smaps_rollup (no per-CPU numbers)";

/** What every view shows instead of a number when the procfs reads never agreed. */
export const NO_ESTIMATE = "the process changed while it was read; no estimate";

/** The same, with why, where a paragraph has room. */
export const NO_ESTIMATE_WHY = asSentence(
  `${NO_ESTIMATE} (no two consecutive rounds of reads of /proc agreed with every thread asleep or stopped, and a torn read is not drift)`,
);

/** What the procfs estimate cannot see. */
export const ESTIMATE_SEES = "read from /proc alone, so there are no per-counter or per-CPU numbers";

/** why a report is an estimate: the backends auto skipped (named above it), or the user's choice */
export function estimateWords(s: Pick<AnalysedSample, "backend">): string {
  if (s.backend?.skipped.length) {
    const names = s.backend.skipped.map((skip) => skip.backend).join(" and ");
    return `${ESTIMATE_SEES}: ${names} could not run here (why and the fix: the line${s.backend.skipped.length > 1 ? "s" : ""} above).`;
  }
  return `${ESTIMATE_SEES}; --backend bpf or drgn reads the real counters (\`rssdrift doctor\` says what they need here).`;
}

/** fleet's footnote to a host's estimate */
export const FLEET_ESTIMATE_NOTE = `${PROCFS_ESTIMATE}: neither bpf nor drgn could run on that host (why: stderr above); ${ESTIMATE_SEES}`;
