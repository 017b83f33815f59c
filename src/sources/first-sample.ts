// Reads a source up to its first sample, for one-shot commands, and closes it. A source that
// goes silent (a stuck debug-info load, a wedged host) ends at the deadline instead of hanging.
import { EXIT, RssdriftError } from "../errors.js";
import type { AnalysedSample } from "../analysis/types.js";
import type { SampleSource } from "./sample-source.js";
import { readStream, type Analyse } from "./sample-stream.js";

async function readUpToSample(source: SampleSource, analyse: Analyse, onProgress: (message: string) => void): Promise<AnalysedSample> {
  let helloSeen = false;
  for await (const event of readStream(source, analyse)) {
    if (event.kind === "progress") onProgress(event.message);
    else if (event.kind === "hello") helloSeen = true;
    else return event.analysed;
  }
  throw new RssdriftError(
    `${source.origin} ended without ${helloSeen ? "a sample" : "a hello line"}`,
    EXIT.helperFailure,
    undefined,
    "no-sample",
  );
}

/** The source's first sample, analysed; the source is closed afterwards. */
export async function firstSample(
  source: SampleSource,
  analyse: Analyse,
  onProgress: (message: string) => void,
  deadlineMs: number,
): Promise<AnalysedSample> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      reject(
        new RssdriftError(
          `${source.origin} sent no sample within ${deadlineMs / 1000} s`,
          EXIT.helperFailure,
          "a slow debug-info load or a busy host may need longer: --timeout S (or RSSDRIFT_TIMEOUT=S)",
          "no-sample-in-time",
        ),
      );
    }, deadlineMs);
  });
  const reading = readUpToSample(source, analyse, onProgress);
  reading.catch(() => undefined); // after the deadline, how the reading ends (closed under it) is not news
  try {
    return await Promise.race([reading, deadline]);
  } finally {
    clearTimeout(timer);
    // closing ends the helper; past the deadline it is not awaited (a wedged link may never answer)
    if (late) source.close().catch(() => undefined);
    else await source.close();
  }
}
