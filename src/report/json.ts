// The machine-readable report: the validated helper lines and their analysis, under a schema
// version that changes only when a key is renamed or removed (new keys may appear).
import type { AnalysedSample, BackendChoice } from "../analysis/types.js";
import type { HelloLine, SampleLine } from "../schema/helper-line.js";
import { withWords, type WordedAnalysis } from "../vocabulary/worded-analysis.js";

export const JSON_REPORT_SCHEMA = "rssdrift-report/1";

/**
 * - schema: "rssdrift-report/1"
 * - hello: the helper's hello line (kernel, era, CPUs, batch, page size, target), as validated
 *   against src/schema/helper-line.ts
 * - sample: the sample line (raw counters with per-slot residue, /proc readings), as validated
 * - analysis: src/analysis/types.ts Analysis (bound, per-counter drift, rss, ranked residue,
 *   readers: who sees what) with its words from src/vocabulary/worded-analysis.ts (the bound's
 *   formula, each reader's label and usedBy, the explanation sentences). Pages are pages; *Bytes are bytes.
 *   A procfs estimate whose reads never agreed has analysis.unstable true, rss null and no
 *   readers (sample.unstable is true too): there is no number rather than a torn one.
 * - backend: {requested, used, skipped: [{backend, code, reason, hint}]}: what --backend asked
 *   for ("auto", "bpf", "drgn", "procfs"; null for a recording, which does not know), what read
 *   the numbers, and each backend auto tried and did not use, with why (added in rssdrift-report/1)
 */
export interface JsonReport {
  schema: typeof JSON_REPORT_SCHEMA;
  hello: HelloLine;
  sample: SampleLine;
  analysis: WordedAnalysis;
  backend: Omit<BackendChoice, "requested"> & { requested: BackendChoice["requested"] | null };
}

export function toJsonReport(s: AnalysedSample): JsonReport {
  const backend = s.backend ?? { requested: null, used: s.hello.backend, skipped: [] };
  return { schema: JSON_REPORT_SCHEMA, hello: s.hello, sample: s.sample, analysis: withWords(s.analysis, s.hello), backend };
}
