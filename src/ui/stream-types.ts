// What the live view knows about its source at any moment, and how a session ends. Shared by
// the Ink app, its hooks and the two runners (interactive and non-interactive).
import type { AnalysedSample } from "../analysis/types.js";
import { EXIT, RssdriftError } from "../errors.js";
import type { OutputPolicy } from "../output/output-policy.js";
import type { SampleSource } from "../sources/sample-source.js";
export type { Analyse } from "../sources/sample-stream.js";

/** What a view needs from the command that shows it: the streams, Ctrl-C, and the output policy. */
export interface ViewContext {
  stdin: NodeJS.ReadStream | NodeJS.ReadableStream;
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** aborted on Ctrl-C, or when stdout can no longer be written */
  signal: AbortSignal;
  /** colour or not, decided once for the whole command (src/output/output-policy.ts) */
  output: OutputPolicy;
}

/** opens the source; `notice` receives what happens meanwhile (sudo, SSH, fallback to procfs) */
export type OpenSource = (notice: (line: string) => void) => Promise<SampleSource>;

/** one point of the drift history */
export interface DriftPoint {
  seq: number;
  monoMs: number;
  /** exact − cached of VmRSS (file + anon + shmem), pages */
  driftPages: number;
}

/** a point the user marked in the history with `m` */
export interface Mark {
  /** 1, 2, 3 … in the order they were made */
  number: number;
  /** the sample it marks */
  seq: number;
  driftPages: number;
  /** wall-clock time on this machine when marked */
  at: Date;
}

/** why the stream stopped on its own (not because the user quit) */
export type StreamEnd =
  /** the target process is gone: keep its last sample on screen */
  | { kind: "exited"; error: Error }
  /** the source ran out: end of a recording, or the helper's --count reached */
  | { kind: "finished" }
  | { kind: "failed"; error: Error };

/** how an error thrown by a source ends the stream: a gone target is "exited", the rest "failed" */
export function streamEndOf(error: unknown): StreamEnd {
  const asError = error instanceof Error ? error : new Error(String(error));
  if (asError instanceof RssdriftError && asError.exitCode === EXIT.targetGone) return { kind: "exited", error: asError };
  return { kind: "failed", error: asError };
}

export type ViewOutcome =
  | { kind: "quit" }
  /** Ctrl-C, or the command's abort signal */
  | { kind: "interrupted" }
  | { kind: "ended"; end: StreamEnd };

export type { AnalysedSample };
