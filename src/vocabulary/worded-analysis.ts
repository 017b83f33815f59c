// An analysis with its words attached, for the machine-readable outputs (--json, snapshots, the
// non-interactive --json lines): the numbers as analysis gave them, and beside them the words every
// other view shows, under the keys rssdrift-report/1 has always had.
import type { Analysis, Bound, ReaderVerdict } from "../analysis/types.js";
import type { HelloLine } from "../schema/helper-line.js";
import { boundFormula } from "./bound.js";
import { explain } from "./explanation.js";
import { READERS } from "./readers.js";

export interface WordedAnalysis extends Omit<Analysis, "bound" | "readers"> {
  /** the bound, and how it was derived, e.g. "4 CPUs × (batch 32 − 1)" */
  bound: Bound & { formula: string };
  /** each reader with what the user knows it as and who reads it */
  readers: (ReaderVerdict & { label: string; usedBy: string })[];
  /** two to four plain-English sentences about this sample */
  explanation: string[];
}

export function withWords(analysis: Analysis, hello: HelloLine): WordedAnalysis {
  return {
    ...analysis,
    bound: { ...analysis.bound, formula: boundFormula(analysis.bound) },
    readers: analysis.readers.map(({ reader, ...verdict }) => ({
      reader,
      label: READERS[reader].label,
      usedBy: READERS[reader].usedBy,
      ...verdict,
    })),
    explanation: explain(analysis, hello),
  };
}
