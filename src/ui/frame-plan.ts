// What the live view's sections need, in priority order, for the layout planner: the pure link
// between one sample's analysis and layout.ts. Unit-tested at every terminal size and CPU count.
import type { Analysis } from "../analysis/types.js";
import { boundGaugeHeights } from "./components/BoundGauge.js";
import { counterTableHeights } from "./components/CounterTable.js";
import { driftSparklineHeights } from "./components/DriftSparkline.js";
import { explanationHeights, wrappedLines } from "./components/Explanation.js";
import { readerVerdictsHeights } from "./components/ReaderVerdicts.js";
import { planLayout, type GrowSpec, type Layout, type SectionSpec } from "./layout.js";
import { residueHeights, type ResidueModel } from "./residue-view.js";
import type { Mark } from "./stream-types.js";

export interface FrameInputs {
  rows: number;
  columns: number;
  analysis: Analysis;
  /** the explanation's sentences (src/vocabulary/explanation.ts) */
  explanation: readonly string[];
  residue: ResidueModel | null;
  marks: readonly Mark[];
  /** what the last key did, shown above the status line */
  message: string | null;
  /** why this backend: one line, when the command gives one */
  backendNote?: string;
}

/** a message (a snapshot's two file names) may wrap, up to this many lines */
const MESSAGE_LINES = 3;

/**
 * The sections by priority: title, status line, counters and the drift line always stay
 * (required); then the target and sample number, the last action's message and the backend note
 * (early: their one line is kept before the drift line gets its title); the residue, the bound, the readers, the machine, the era, and the explanation last.
 */
export function frameSpecs({ columns, analysis, explanation, residue, marks, message, backendNote }: FrameInputs): {
  specs: SectionSpec[];
  grow: GrowSpec[];
} {
  const residueFit = residueHeights(residue, columns);
  const specs: SectionSpec[] = [
    { id: "title", heights: [1], required: true },
    { id: "status", heights: [1], required: true },
    { id: "counters", heights: counterTableHeights(analysis), required: true },
    { id: "drift", heights: driftSparklineHeights(marks), required: true },
    { id: "target", heights: [1], early: true },
    { id: "message", heights: message ? [Math.min(MESSAGE_LINES, wrappedLines(message, columns))] : [], early: true },
    { id: "backendNote", heights: backendNote ? [1] : [], early: true },
    { id: "residue", heights: residueFit.heights },
    { id: "bound", heights: boundGaugeHeights(analysis) },
    { id: "readers", heights: readerVerdictsHeights(analysis) },
    { id: "machine", heights: [1] },
    { id: "era", heights: [1] },
    { id: "explanation", heights: explanationHeights(explanation, columns) },
  ];
  return { specs, grow: residueFit.grow > 0 ? [{ id: "residue", max: residueFit.grow }] : [] };
}

export function planFrame(inputs: FrameInputs): Layout {
  const { specs, grow } = frameSpecs(inputs);
  return planLayout(inputs.rows, specs, grow);
}
