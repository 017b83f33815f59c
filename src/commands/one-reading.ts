// One analysed sample of a target, then its source is closed: the report's reading, and each
// fleet host's. A source that sends no sample in time ends at the deadline (deadline-option.ts).
import { analyse } from "../analysis/analyse.js";
import type { AnalysedSample } from "../analysis/types.js";
import { firstSample } from "../sources/first-sample.js";
import { openSampleSource, openSourceOn } from "../sources/open-source.js";
import type { TargetOptions } from "../sources/target.js";
import { printable } from "../text/printable.js";
import type { Transport } from "../transports/transport.js";
import type { ProcessContext } from "./context.js";

/** One analysed sample of the target, on the machine it names; stopped early by Ctrl-C. */
export async function sampleOnce(
  target: TargetOptions,
  ctx: Pick<ProcessContext, "stderr" | "signal">,
  deadlineMs: number,
): Promise<AnalysedSample> {
  const notice = (line: string) => ctx.stderr.write(`rssdrift: ${printable(line)}\n`);
  const source = await openSampleSource({ ...target, count: 1 }, notice);
  const stop = () => void source.close();
  ctx.signal.addEventListener("abort", stop, { once: true });
  try {
    return await firstSample(source, analyse, notice, deadlineMs);
  } finally {
    ctx.signal.removeEventListener("abort", stop);
  }
}

/** One analysed sample of a pid over a transport the caller owns (fleet mode: one per host). */
export type SampleOnce = (transport: Transport, pid: number) => Promise<AnalysedSample>;

/** sampleOnce over given transports, for a target (backend, --smaps…) whose pid each host names. */
export function sampleOnceOn(target: Omit<TargetOptions, "pid">, ctx: Pick<ProcessContext, "stderr">, deadlineMs: number): SampleOnce {
  return async (transport, pid) => {
    const notice = (line: string) => ctx.stderr.write(`rssdrift: ${printable(`${transport.where}: ${line}`)}\n`);
    return firstSample(await openSourceOn(transport, { ...target, pid, count: 1 }, notice), analyse, notice, deadlineMs);
  };
}
