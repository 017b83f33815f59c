// `rssdrift watch <pid>`: the live view to keep next to a paused test. One helper process samples
// for the whole session. Interactive (Ink) when stdin and stdout are terminals, else one line per
// sample; decided here, once.
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { analyse } from "../analysis/analyse.js";
import { EXIT } from "../errors.js";
import { openReplaySource } from "../sources/replay-source.js";
import type { SampleSource } from "../sources/sample-source.js";
import { printableJson } from "../text/printable.js";
import { clockTime, formatSignedPages } from "../ui/format.js";
import { sparkline } from "../ui/glyphs.js";
import { runNonInteractive } from "../ui/run-non-interactive.js";
import type { AnalysedSample, DriftPoint, Mark, OpenSource, ViewOutcome } from "../ui/stream-types.js";
import { commonFlagsHelp, defineCommand, type CommandValues } from "./command.js";
import type { CommandContext } from "./context.js";
import { badInput, shownWord, wholeNumber } from "./parse-flags.js";
import { makeSnapshotDir, snapshotDirOf } from "./snapshot-dir.js";
import { parsePid, targetFlags, targetFlagsHelp, targetFrom } from "./target-options.js";

export const watchHelp = `Usage: rssdrift watch <pid> [options] [target options]
       rssdrift watch --demo

A live view to keep next to a paused test. Stop the test at input() or a breakpoint, run
\`sudo rssdrift watch <pid>\` in a second terminal, then let the test go on and watch:
  - the kernel's cached RSS count (what /proc/PID/stat, and statm before 6.16, show) against the
    exact sum, and the drift between them in pages and bytes, per counter;
  - where the drift is parked: one bar per CPU (per thread before 6.2), and how full each slot is,
    with a heat map of every slot when there are many;
  - the drift against the worst case for this CPU count, N_online × (batch − 1) per counter;
  - the drift over the last samples (a step is an allocation) with your marks on it;
  - which /proc files saw the cached and which the exact value.
One helper process samples for the whole session; it stops when you quit.

Keys:
  space  pause / resume        r  one sample now         + / -  sample faster / slower
  m      mark this sample      s  save a snapshot        ?      help        q, Ctrl-C  quit
  ↑ ↓ j k, PgUp PgDn, Home End  scroll the residue list (many CPUs or threads)
  o      sort the residue list by CPU id / by |residue|
The frame always fits the terminal (60×20 and up): sections shorten or fold by priority, the
title, counters, drift line and status line stay. On many CPUs a heat map shows every slot.

Options:
  --record FILE.jsonl   also write every line the helper prints to FILE: \`rssdrift replay FILE\`
                        plays the session back anywhere, with no root and no kernel
  --count N             stop after N samples
  --json                one JSON object per sample, {"hello","sample","analysis"}, never the TUI
  --snapshot-dir DIR    where \`s\` writes its .json and .md files (default: ./snapshots); made at
                        the first snapshot if missing, so its parent must exist
  --demo                play the recording shipped with rssdrift (a 4-CPU 6.12 kernel in a VM):
                        see the view on any machine, no root needed
${commonFlagsHelp(24)}
When stdin or stdout is not a terminal (CI, a pipe) the view is one line per sample instead.
--interval defaults to 500 ms here.

${targetFlagsHelp}

Exit codes: 0 quit (q) or the samples ran out, 3 the process exited, 130 Ctrl-C;
others as in \`rssdrift --help\`.

Examples:
  sudo rssdrift watch 1234                          watch a local test process
  rssdrift watch 1234 --host ci-7 --record flake.jsonl   watch over SSH and keep the session
  rssdrift watch 1234 --count 20 | tee drift.log    20 compact lines`;

const watchFlags = {
  record: { type: "string" },
  count: { type: "string" },
  json: { type: "boolean", default: false },
  "snapshot-dir": { type: "string" },
  demo: { type: "boolean", default: false },
  ...targetFlags,
} as const;

/** what goes with --demo: the rest (a pid, target options, --record, --count) is refused */
const DEMO_FLAGS = new Set(["demo", "json", "snapshot-dir", "help", "no-color"]);

const DEMO_RECORDING = "test/fixtures/lab-6.12-4cpu.jsonl";

/** the shipped demo recording, found from this file whether running from src/ or dist/src/ */
export function demoRecordingPath(): string {
  for (const up of ["../../", "../../../"]) {
    const path = fileURLToPath(new URL(up + DEMO_RECORDING, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw badInput(`the demo recording (${DEMO_RECORDING}) is missing from this installation`);
}

function parseCount(text: string): number {
  const count = wholeNumber(text, 1, 999_999_999);
  if (count === null) throw badInput(`--count takes a whole number of samples from 1, not ${JSON.stringify(text)}`);
  return count;
}

/** "20250601T120309", local time */
function stamp(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}T${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

/** what the live view adds to the Markdown report: the drift history and the marks */
function historyMarkdown(marks: Mark[], history: DriftPoint[]): string {
  const lines = [
    "",
    "### Drift history",
    "",
    `Last ${history.length} samples, VmRSS drift in pages (a step up is an allocation parked in a slot):`,
    "",
    "```",
    sparkline(history.map((p) => p.driftPages)),
    "```",
  ];
  if (marks.length > 0) {
    lines.push("", "| mark | time | sample | drift (pages) |", "| ---: | --- | ---: | ---: |");
    for (const m of marks) lines.push(`| ${m.number} | ${clockTime(m.at)} | ${m.seq} | ${formatSignedPages(m.driftPages)} |`);
  }
  return `${lines.join("\n")}\n`;
}

/** Writes DIR/rssdrift-PID-sSEQ-STAMP.{json,md}; returns both paths (relative when DIR is). */
export async function saveSnapshot(
  dir: string,
  commandLine: string,
  s: AnalysedSample,
  marks: Mark[],
  history: DriftPoint[],
): Promise<string[]> {
  // loaded when first needed: `watch --demo` and replays start without the report and SSH code
  const [{ toJsonReport }, { renderMarkdown }] = await Promise.all([import("../report/json.js"), import("../report/markdown.js")]);
  await makeSnapshotDir(dir);
  const base = join(dir, `rssdrift-${s.hello.target.pid}-s${s.sample.seq}-${stamp(new Date())}`);
  const json = { ...toJsonReport(s), marks: marks.map((m) => ({ ...m, at: m.at.toISOString() })), history };
  await writeFile(`${base}.json`, `${printableJson(json, 2)}\n`);
  await writeFile(`${base}.md`, renderMarkdown(s, { command: commandLine }) + historyMarkdown(marks, history));
  return [`${base}.json`, `${base}.md`];
}

export interface ViewSettings {
  open: OpenSource;
  mode: "live" | "replay";
  json: boolean;
  snapshotDir: string;
  /** how the session was started, for snapshots */
  commandLine: string;
  /** the effective interval at start when it is not the hello line's */
  intervalMs?: number;
}

function exitCodeOf(outcome: ViewOutcome): number {
  switch (outcome.kind) {
    case "quit":
      return EXIT.ok;
    case "interrupted":
      return EXIT.interrupted;
    case "ended":
      if (outcome.end.kind === "finished") return EXIT.ok;
      // already on screen in the TUI; thrown so the entry point prints one line and the exit code
      throw outcome.end.error;
  }
}

/**
 * Ink and React are loaded only for a terminal, so the line mode starts light. React picks its
 * build when first loaded: the development build (checks, profiling hooks) costs several times
 * the CPU per frame, so unless told otherwise the view runs the production one.
 */
async function loadInteractive(): Promise<typeof import("../ui/run-interactive.js")> {
  process.env.NODE_ENV ??= "production";
  return import("../ui/run-interactive.js");
}

/** Shows a source's samples, the TUI on a terminal, lines otherwise; shared with replay. */
export async function viewSamples(ctx: CommandContext, settings: ViewSettings): Promise<number> {
  let opened: SampleSource | undefined;
  const open: OpenSource = async (notice) => (opened = await settings.open(notice));
  const interactive = !settings.json && (ctx.stdin as { isTTY?: boolean }).isTTY === true && ctx.stdout.isTTY === true;
  try {
    const outcome = interactive
      ? await (await loadInteractive()).runInteractive({
          ctx,
          open,
          analyse,
          mode: settings.mode,
          intervalMs: settings.intervalMs,
          saveSnapshot: (s, marks, history) => saveSnapshot(settings.snapshotDir, settings.commandLine, s, marks, history),
        })
      : await runNonInteractive({ ctx, open, analyse, json: settings.json });
    return exitCodeOf(outcome);
  } finally {
    // the app closes it on every way out; this covers a crash, so no helper outlives us
    await opened?.close();
  }
}

/** the command line for snapshots: `rssdrift watch 1234 --host lab` */
export function commandLineOf(command: string, argv: string[]): string {
  const quote = (word: string) => (/^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`);
  return ["rssdrift", command, ...argv].map(quote).join(" ");
}

async function watchDemo(
  values: CommandValues<typeof watchFlags>,
  operands: string[],
  argv: string[],
  ctx: CommandContext,
): Promise<number> {
  const why = "--demo plays a recording: it takes no pid or target options";
  if (operands.length > 0) throw badInput(`unexpected argument ${shownWord(operands[0]!)}: ${why}`, "see `rssdrift watch --help`");
  const other = Object.entries(values).find(([name, value]) => value !== undefined && !DEMO_FLAGS.has(name));
  if (other) throw badInput(`--${other[0]} does not go with --demo (${why})`, "see `rssdrift watch --help`");
  const snapshotDir = snapshotDirOf(values["snapshot-dir"]);
  const path = demoRecordingPath();
  const source = await openReplaySource(path);
  return viewSamples(ctx, {
    open: async () => source,
    mode: "replay",
    json: values.json,
    snapshotDir,
    commandLine: commandLineOf("watch", argv),
  });
}

export const watchCommand = defineCommand({
  name: "watch",
  help: watchHelp,
  flags: watchFlags,
  operands: { max: 1, what: "watch takes one pid" },
  async run({ values, operands, argv }, ctx) {
    if (values.demo) return watchDemo(values, operands, argv, ctx);
    // q and Ctrl-C in the live view end it without a signal: a connection still being made is then given up too
    const viewEnded = new AbortController();
    const signal = AbortSignal.any([ctx.signal, viewEnded.signal]);
    const pid = parsePid(operands[0]);
    const target = { pid, ...targetFrom(values, { defaultIntervalMs: 500, signal, env: ctx.env }) };
    if ((values.host?.length ?? 0) > 1)
      throw badInput("watch shows one process on one host; for several hosts use `rssdrift <pid> --host a --host b`");
    if (values.count !== undefined) target.count = parseCount(values.count);
    const snapshotDir = snapshotDirOf(values["snapshot-dir"]);
    const [{ openSampleSource }, { openRecorder }] = await Promise.all([
      import("../sources/open-source.js"),
      import("../sources/recorder.js"),
    ]);
    const recorder = values.record === undefined ? null : openRecorder(values.record);
    try {
      return await viewSamples(ctx, {
        open: async (notice) => {
          const source = await openSampleSource(target, notice, { reconnect: true });
          return recorder ? recorder.record(source) : source;
        },
        mode: "live",
        json: values.json,
        snapshotDir,
        commandLine: commandLineOf("watch", argv),
      });
    } finally {
      viewEnded.abort();
      recorder?.close();
    }
  },
});
