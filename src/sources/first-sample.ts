// Reads a source up to its first sample, for one-shot commands, and closes it. A source that
// goes silent (a stuck debug-info load, a wedged host) ends at the deadline instead of hanging.
import { EXIT, RssdriftError } from "../errors.js";
import type { HelloLine, SampleLine } from "../schema/helper-line.js";
import type { SampleSource } from "./sample-source.js";

async function readUpToSample(source: SampleSource, onProgress: (message: string) => void): Promise<{ hello: HelloLine; sample: SampleLine }> {
  let hello: HelloLine | undefined;
  for await (const line of source) {
    if (line.type === "progress") onProgress(line.message);
    else if (line.type === "hello") hello = line;
    else if (line.type === "sample") {
      if (hello === undefined) break;
      return { hello, sample: line };
    }
  }
  throw new RssdriftError(
    `${source.origin} ended without ${hello ? "a sample" : "a hello line"}`,
    EXIT.helperFailure,
    undefined,
    "no-sample",
  );
}

export async function firstSample(
  source: SampleSource,
  onProgress: (message: string) => void,
  deadlineMs: number,
): Promise<{ hello: HelloLine; sample: SampleLine }> {
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
  const reading = readUpToSample(source, onProgress);
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
