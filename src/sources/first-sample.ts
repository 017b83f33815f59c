// Reads a source up to its first sample, for one-shot commands, and closes it.
import { EXIT, RssdriftError } from "../errors.js";
import type { HelloLine, SampleLine } from "../schema/helper-line.js";
import type { SampleSource } from "./sample-source.js";

export async function firstSample(
  source: SampleSource,
  onProgress: (message: string) => void,
): Promise<{ hello: HelloLine; sample: SampleLine }> {
  let hello: HelloLine | undefined;
  try {
    for await (const line of source) {
      if (line.type === "progress") onProgress(line.message);
      else if (line.type === "hello") hello = line;
      else if (line.type === "sample") {
        if (hello === undefined) break;
        return { hello, sample: line };
      }
    }
  } finally {
    await source.close();
  }
  throw new RssdriftError(
    `${source.origin} ended without ${hello ? "a sample" : "a hello line"}`,
    EXIT.helperFailure,
    undefined,
    "no-sample",
  );
}
