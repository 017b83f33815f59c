// `rssdrift <pid>`: one sample, one report (text, --json or --markdown), then exit.
import { analyse } from "../analysis/analyse.js";
import type { AnalysedSample } from "../analysis/types.js";
import { EXIT } from "../errors.js";
import { toJsonReport } from "../report/json.js";
import { renderMarkdown } from "../report/markdown.js";
import { renderText } from "../report/text.js";
import { firstSample } from "../sources/first-sample.js";
import { openSampleSource, openSourceOn } from "../sources/open-source.js";
import { quoteShellWord } from "../transports/ssh-quote.js";
import { printable, printableJson } from "../text/printable.js";
import type { Transport } from "../transports/transport.js";
import type { CommandContext } from "./context.js";
import { deadlineFlagHelp, deadlineFlags, firstSampleDeadlineMs } from "./deadline-option.js";
import { shownWord } from "./parse-flags.js";
import { badInput, parseTargetArgs, targetFlagsHelp, type TargetOptions } from "./target-options.js";

export const reportHelp = `Usage: rssdrift <pid> [--json | --markdown] [target options]

Takes one reading of the kernel's RSS counters for <pid> and explains the drift: how far the
cached count (what /proc/PID/statm, top and psutil may show) is from the exact sum, where the
missing pages are parked (which CPUs or threads), and the worst case for this CPU count.

Output:
  (default)   a report for a terminal         --json      the validated sample + the analysis
  --markdown  a report to paste into an issue  --no-color plain text (NO_COLOR is honoured too)
${deadlineFlagHelp}

${targetFlagsHelp}

Examples:
  sudo rssdrift 1234                 the real counters: bpf, else drgn, else the estimate (--backend auto)
  sudo rssdrift 1234 --backend bpf   only bpf (needs root or CAP_BPF + CAP_PERFMON, and BTF)
  rssdrift 1234 --backend procfs     estimate from /proc alone (no root needed)
  rssdrift 1234 --host ci-runner-7   the same on another machine over SSH`;

const reportFlags = {
  json: { type: "boolean", default: false },
  markdown: { type: "boolean", default: false },
  "no-color": { type: "boolean", default: false },
  help: { type: "boolean", short: "h", default: false },
  ...deadlineFlags,
} as const;

/** The command line that produced a report, for --markdown (the pid and flags, not the path). */
function commandLine(argv: string[]): string {
  const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : quoteShellWord(word));
  return ["rssdrift", ...argv].map(quote).join(" ");
}

/** One analysed sample of the target, stopped early by Ctrl-C. */
async function sampleOnce(target: TargetOptions, ctx: CommandContext, deadlineMs: number): Promise<AnalysedSample> {
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

/**
 * For fleet mode: one analysed sample of a pid over a transport the fleet owns, with the backend
 * and --smaps taken from the fleet's own command line.
 */
export function sampleOnceOn(argv: string[], ctx: CommandContext) {
  const { target, values } = parseTargetArgs(argv, { defaultIntervalMs: 1000, pidRequired: false, lenient: true, extraFlags: deadlineFlags, env: ctx.env });
  const deadlineMs = firstSampleDeadlineMs(values.timeout as string | undefined, ctx.env);
  return async (transport: Transport, pid: number): Promise<AnalysedSample> => {
    const notice = (line: string) => ctx.stderr.write(`rssdrift: ${printable(`${transport.where}: ${line}`)}\n`);
    return firstSample(await openSourceOn(transport, { ...target, pid, count: 1 }, notice), analyse, notice, deadlineMs);
  };
}

export async function reportCommand(argv: string[], ctx: CommandContext): Promise<number> {
  const { target, values, positionals } = parseTargetArgs(argv, {
    defaultIntervalMs: 1000,
    signal: ctx.signal,
    extraFlags: reportFlags,
    pidRequired: !argv.includes("--help") && !argv.includes("-h"),
    help: "`rssdrift report --help`",
    env: ctx.env,
  });
  if (values.help) {
    ctx.stdout.write(`${reportHelp}\n`);
    return EXIT.ok;
  }
  if (positionals.length > 1) {
    throw badInput(
      `a report reads one pid, not ${positionals.length}: ${positionals.map(shownWord).join(" ")}`,
      "run rssdrift once per pid; for one pid on several hosts, repeat --host",
    );
  }
  if (values.json && values.markdown) throw badInput("--json and --markdown are two different outputs: pick one");
  const deadlineMs = firstSampleDeadlineMs(values.timeout as string | undefined, ctx.env);
  const analysed = await sampleOnce(target, ctx, deadlineMs);
  if (ctx.signal.aborted) return EXIT.interrupted;
  if (values.json) {
    ctx.stdout.write(`${printableJson(toJsonReport(analysed), 2)}\n`);
  } else if (values.markdown) {
    const markdown = renderMarkdown(analysed, { command: commandLine(argv) });
    ctx.stdout.write(markdown.endsWith("\n") ? markdown : `${markdown}\n`);
  } else {
    const color = !values["no-color"] && !ctx.env.NO_COLOR && ctx.stdout.isTTY === true;
    ctx.stdout.write(renderText(analysed, { color, width: ctx.stdout.columns }));
  }
  return EXIT.ok;
}
