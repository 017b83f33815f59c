// The one reader of a SampleSource's lines: progress, then a hello line, then samples, each
// analysed against the hello it follows. Every consumer (one-shot report, fleet, live view, the
// compact lines) takes its events from here, so the protocol's order is enforced in one place.
import type { AnalysedSample, Analysis } from "../analysis/types.js";
import { EXIT, RssdriftError } from "../errors.js";
import type { HelloLine, SampleLine } from "../schema/helper-line.js";
import type { SampleSource } from "./sample-source.js";

/** analyse() from src/analysis/analyse.ts, passed in so tests can use hand-made analyses */
export type Analyse = (hello: HelloLine, sample: SampleLine) => Analysis;

export type StreamEvent =
  /** what the source is doing while it starts (loading debug info, reconnecting) */
  | { kind: "progress"; message: string }
  /** the target and the kernel, once per helper start (again after a reconnect) */
  | { kind: "hello"; hello: HelloLine }
  /** one sample with the hello it belongs to and its analysis; `backend` says how the source was picked */
  | { kind: "sample"; analysed: AnalysedSample };

function protocolError(origin: string, what: string): RssdriftError {
  return new RssdriftError(`${origin} ${what}`, EXIT.helperFailure, undefined, "protocol");
}

/**
 * The source's lines as events. A sample before any hello line, or an error line that reached the
 * stream (sources turn those into thrown errors), is a protocol error (exit 5).
 */
export async function* readStream(source: SampleSource, analyse: Analyse): AsyncGenerator<StreamEvent> {
  let hello: HelloLine | null = null;
  for await (const line of source) {
    switch (line.type) {
      case "progress":
        yield { kind: "progress", message: line.message };
        break;
      case "hello":
        hello = line;
        yield { kind: "hello", hello };
        break;
      case "sample": {
        if (hello === null) throw protocolError(source.origin, "sent a sample before its hello line");
        const analysed: AnalysedSample = { hello, sample: line, analysis: analyse(hello, line) };
        if (source.backend) analysed.backend = source.backend;
        yield { kind: "sample", analysed };
        break;
      }
      case "error":
        throw protocolError(source.origin, `yielded an error line: ${line.message}`);
    }
  }
}
