// A SampleSource is where validated helper lines come from: the helper (bpf or drgn) over a
// transport, the procfs estimate, or a recorded file. Every consumer (one-shot report, live TUI) reads one of these.
import type { BackendChoice } from "../analysis/types.js";
import type { HelperLine } from "../schema/helper-line.js";

export interface SampleSource extends AsyncIterable<HelperLine> {
  /** for headers and messages: "drgn on this machine", "procfs estimate", "replay of run.jsonl" */
  readonly origin: string;
  /** for a live target: which backend runs and, under --backend auto, why earlier ones did not */
  readonly backend?: BackendChoice;
  /** asks for one sample now, outside the interval (no-op where it cannot) */
  sampleNow(): void;
  /** changes the interval between samples, live */
  setInterval(ms: number): void;
  /** pauses or resumes sampling */
  setPaused(paused: boolean): void;
  /** stops the source and anything it started (the helper process); safe to call twice */
  close(): Promise<void>;
}
