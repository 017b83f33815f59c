// The view when stdin or stdout is not a terminal (CI, a pipe): no Ink and no raw mode. One
// compact line per sample, or with --json one JSON object per sample: {hello, sample, analysis}
// (an AnalysedSample, its analysis with its words as in --json reports, whole on each line so `jq`
// needs no state). Progress and notices go to stderr.
import type { SampleSource } from "../sources/sample-source.js";
import { readStream } from "../sources/sample-stream.js";
import { printable, printableJson } from "../text/printable.js";
import { withWords } from "../vocabulary/worded-analysis.js";
import { compactHeader, compactLine } from "./compact-line.js";
import { streamEndOf, type Analyse, type OpenSource, type ViewContext, type ViewOutcome } from "./stream-types.js";

export interface NonInteractiveOptions {
  ctx: ViewContext;
  open: OpenSource;
  analyse: Analyse;
  json: boolean;
}

export async function runNonInteractive({ ctx, open, analyse, json }: NonInteractiveOptions): Promise<ViewOutcome> {
  const notice = (text: string) => ctx.stderr.write(`rssdrift: ${printable(text)}\n`);
  let source: SampleSource | null = null;
  let stopped = false;
  const stop = () => {
    stopped = true;
    void source?.close();
  };
  // also aborted when stdout can no longer be written (`| head`): see src/output/output-policy.ts
  ctx.signal.addEventListener("abort", stop);
  try {
    source = await open(notice);
    if (stopped) return { kind: "interrupted" };
    let firstMonoMs: number | null = null;
    for await (const event of readStream(source, analyse)) {
      if (stopped) break;
      if (event.kind === "progress") notice(event.message);
      else if (event.kind === "hello") {
        if (!json) ctx.stdout.write(`${compactHeader(event.hello, source.origin)}\n`);
      } else {
        const { analysed } = event;
        firstMonoMs ??= analysed.sample.mono_ms;
        ctx.stdout.write(
          `${json ? printableJson({ ...analysed, analysis: withWords(analysed.analysis, analysed.hello) }) : compactLine(analysed, firstMonoMs)}\n`,
        );
      }
    }
    return ctx.signal.aborted ? { kind: "interrupted" } : stopped ? { kind: "quit" } : { kind: "ended", end: { kind: "finished" } };
  } catch (error) {
    if (ctx.signal.aborted) return { kind: "interrupted" };
    return { kind: "ended", end: streamEndOf(error) };
  } finally {
    ctx.signal.removeEventListener("abort", stop);
    await source?.close();
  }
}
