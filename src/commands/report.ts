// `rssdrift <pid>` (or `rssdrift report <pid>`): one sample, one report (text, --json or
// --markdown), then exit.
import { EXIT } from "../errors.js";
import { toJsonReport } from "../report/json.js";
import { renderMarkdown } from "../report/markdown.js";
import { renderText } from "../report/text.js";
import { printableJson } from "../text/printable.js";
import { quoteShellWord } from "../transports/ssh-quote.js";
import { commonFlagsHelp, defineCommand } from "./command.js";
import { deadlineFlagHelp, deadlineFlags, firstSampleDeadlineMs } from "./deadline-option.js";
import { sampleOnce } from "./one-reading.js";
import { badInput } from "./parse-flags.js";
import { parsePid, targetFlags, targetFlagsHelp, targetFrom } from "./target-options.js";

export const reportHelp = `Usage: rssdrift <pid> [--json | --markdown] [target options]
       rssdrift report <pid> …    the same: report is the command when none is named

Takes one reading of the kernel's RSS counters for <pid> and explains the drift: how far the
cached count (what /proc/PID/statm, top and psutil may show) is from the exact sum, where the
missing pages are parked (which CPUs or threads), and the worst case for this CPU count.
Several --host (or --hosts-file, --pgrep) make it one row per host: \`rssdrift help fleet\`.

Output:
  (default)                  a report for a terminal
  --json                     the validated sample and its analysis, as JSON
  --markdown                 a report to paste into an issue
${deadlineFlagHelp}
${commonFlagsHelp(29)}

${targetFlagsHelp}

Exit codes: 0 the report was written; 2 bad input (not a pid, a kernel thread, a thread id);
3 the process is gone or a zombie; 4 a missing prerequisite (\`rssdrift doctor\` says which);
5 the helper failed or sent no sample in time; 6 SSH failed; 7 the host key is unknown or
changed; others as in \`rssdrift --help\`.

Examples:
  sudo rssdrift 1234                 the real counters: bpf, else drgn, else the estimate (--backend auto)
  sudo rssdrift 1234 --backend bpf   only bpf (needs root or CAP_BPF + CAP_PERFMON, and BTF)
  rssdrift 1234 --backend procfs     estimate from /proc alone (no root needed)
  rssdrift 1234 --host ci-runner-7   the same on another machine over SSH`;

/** The command line that produced a report, for --markdown (the pid and flags, not the path). */
function commandLine(argv: string[]): string {
  const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : quoteShellWord(word));
  return ["rssdrift", ...argv].map(quote).join(" ");
}

export const reportCommand = defineCommand({
  name: "report",
  help: reportHelp,
  flags: {
    json: { type: "boolean", default: false },
    markdown: { type: "boolean", default: false },
    ...deadlineFlags,
    ...targetFlags,
  },
  operands: { max: 1, what: "a report reads one pid", hint: "run rssdrift once per pid; for one pid on several hosts, repeat --host" },
  async run({ values, operands, argv }, ctx) {
    const target = { pid: parsePid(operands[0]), ...targetFrom(values, { defaultIntervalMs: 1000, signal: ctx.signal, env: ctx.env }) };
    if (values.json && values.markdown) throw badInput("--json and --markdown are two different outputs: pick one");
    const deadlineMs = firstSampleDeadlineMs(values.timeout, ctx.env);
    const analysed = await sampleOnce(target, ctx, deadlineMs);
    if (ctx.signal.aborted) return EXIT.interrupted;
    if (values.json) {
      ctx.stdout.write(`${printableJson(toJsonReport(analysed), 2)}\n`);
    } else if (values.markdown) {
      const markdown = renderMarkdown(analysed, { command: commandLine(argv) });
      ctx.stdout.write(markdown.endsWith("\n") ? markdown : `${markdown}\n`);
    } else {
      ctx.stdout.write(renderText(analysed, { color: ctx.output.color, width: ctx.output.width }));
    }
    return EXIT.ok;
  },
});
