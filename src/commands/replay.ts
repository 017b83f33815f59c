// `rssdrift replay FILE.jsonl`: plays back a session recorded with `watch --record` (or the
// helper's raw stdout) in the same view, with no root and no kernel.
import { openReplaySource, SPEED_RANGE } from "../sources/replay-source.js";
import { commonFlagsHelp, defineCommand } from "./command.js";
import { badInput } from "./parse-flags.js";
import { snapshotDirOf } from "./snapshot-dir.js";
import { commandLineOf, viewSamples } from "./watch.js";

export const replayHelp = `Usage: rssdrift replay FILE.jsonl [--speed X] [--json] [--snapshot-dir DIR] [--no-color]

Plays back a recorded session in the same live view as \`rssdrift watch\`, on any machine:
no root, no drgn, no kernel. A recording is the helper's JSON lines, one per line, as
\`rssdrift watch <pid> --record FILE.jsonl\` writes them (the helper's raw stdout is one too).
Every line is checked against the helper's schema, exactly as live output is, so a damaged
file stops at the line that is wrong, naming it. The file is read as it plays, so its size
does not matter; a line longer than 1 MiB is not a helper line and stops it too.

Samples play at the pace they were taken (their mono_ms gaps) divided by --speed; a gap over a
minute (a session paused while it was recorded) plays as a minute, and the view says so. The
recording's own progress lines (loading debug info, …) are not replayed.

Keys (as in watch, adapted to a recording):
  space  pause / resume                 r  play the next sample now (one step while paused)
  + / -  play faster / slower           m  mark this sample    s  save a snapshot
  ?      help                           q, Ctrl-C  quit
  ↑ ↓ j k, PgUp PgDn, Home End  scroll the residue list    o  sort it by CPU id / by |residue|

Options:
  --speed X             play X times as fast as recorded (${SPEED_RANGE.min} to ${SPEED_RANGE.max}; default 1)
  --json                one JSON object per sample, {"hello","sample","analysis"}, never the TUI
  --snapshot-dir DIR    where \`s\` writes its .json and .md files (default: ./snapshots); made at
                        the first snapshot if missing, so its parent must exist
${commonFlagsHelp(24)}
When stdin or stdout is not a terminal the view is one line per sample, as fast as --speed allows.

Exit codes: 0 quit or the recording ended, 2 no such file, 3 the recorded process exited,
5 a malformed recording, 130 Ctrl-C.

Examples:
  rssdrift replay flake.jsonl                  watch a recorded session
  rssdrift replay flake.jsonl --speed 10 | less   skim it as lines`;

function parseSpeed(text: string | undefined): number {
  if (text === undefined) return 1;
  const speed = Number(text);
  if (!Number.isFinite(speed) || speed < SPEED_RANGE.min || speed > SPEED_RANGE.max) {
    throw badInput(`--speed takes a number from ${SPEED_RANGE.min} to ${SPEED_RANGE.max}, not ${JSON.stringify(text)}`);
  }
  return speed;
}

export const replayCommand = defineCommand({
  name: "replay",
  help: replayHelp,
  flags: {
    speed: { type: "string" },
    json: { type: "boolean", default: false },
    "snapshot-dir": { type: "string" },
  },
  operands: { max: 1, what: "replay takes one file" },
  async run({ values, operands, argv }, ctx) {
    if (operands.length === 0) throw badInput("which recording? give a FILE.jsonl", "see `rssdrift replay --help`");
    const speed = parseSpeed(values.speed);
    const snapshotDir = snapshotDirOf(values["snapshot-dir"]);
    // read up to its hello line before anything is shown: a file that is no recording is one line, not a broken TUI
    const source = await openReplaySource(operands[0]!, speed);
    return viewSamples(ctx, {
      open: async () => source,
      mode: "replay",
      json: values.json,
      snapshotDir,
      commandLine: commandLineOf("replay", argv),
      intervalMs: source.hello.interval_ms / speed,
    });
  },
});
