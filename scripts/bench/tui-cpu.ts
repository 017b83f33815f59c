// How much CPU the live view itself costs: the same replay at 4 Hz (one sample every 250 ms),
// once as the Ink TUI under a real pseudo-terminal (a tmux pane) and once as compact lines into
// a pipe, side by side in the same run. Reads utime + stime from /proc/PID/stat after a warm-up,
// so module loading is left out, and prints both and their ratio.
//
//   npm run build && node dist/scripts/bench/tui-cpu.js [--seconds 30] [--columns 100] [--rows 40]
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { HelperLine } from "../../src/schema/helper-line.js";
import { parseHelperLine } from "../../src/schema/validate-line.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLI = join(ROOT, "dist/cli/rssdrift.js");
const RECORDING = join(ROOT, "test/fixtures/lab-6.12-4cpu.jsonl");
const INTERVAL_MS = 250;
const WARM_UP_MS = 3000;
const SOCKET = `rssdrift-bench-${process.pid}`;
const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

const { values } = parseArgs({
  options: { seconds: { type: "string", default: "30" }, columns: { type: "string", default: "100" }, rows: { type: "string", default: "40" } },
});
const seconds = Number(values.seconds);

/**
 * The lab recording's samples, looped and re-timed 250 ms apart, long enough for the run: the
 * shipped recording lasts 20 s at 500 ms. Written to a temporary file, never shipped.
 */
function loopedRecording(path: string, samples: number): void {
  const lines: HelperLine[] = readFileSync(RECORDING, "utf8").trim().split("\n").map((line) => parseHelperLine(line));
  const hello = lines.find((line) => line.type === "hello")!;
  const recorded = lines.filter((line) => line.type === "sample");
  const out = [JSON.stringify({ ...hello, interval_ms: INTERVAL_MS })];
  for (let seq = 0; seq < samples; seq++) {
    out.push(JSON.stringify({ ...recorded[seq % recorded.length]!, seq, mono_ms: 1000 + seq * INTERVAL_MS }));
  }
  writeFileSync(path, out.join("\n") + "\n");
}

/** utime + stime of a process, in seconds */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3
  return (Number(fields[14 - 3]) + Number(fields[15 - 3])) / TICKS_PER_SECOND;
}

const tmux = (...args: string[]) => execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), "rssdrift-bench-"));
  const recording = join(scratch, "looped.jsonl");
  // enough samples that neither run reaches the end during the measurement
  loopedRecording(recording, Math.ceil(((seconds * 1000 + WARM_UP_MS) / INTERVAL_MS) * 1.5));
  try {
    // the TUI: a real pty; env -u CI because Ink draws only a final frame when it thinks it is in CI
    tmux("new-session", "-d", "-s", "tui", "-x", values.columns!, "-y", values.rows!, "env", "-u", "CI", "TERM=xterm-256color", process.execPath, CLI, "replay", recording);
    const tuiPid = Number(tmux("display-message", "-p", "-t", "tui", "#{pane_pid}").trim());
    // the compact lines: stdout a pipe, drained
    const lines = spawn(process.execPath, [CLI, "replay", recording], { stdio: ["ignore", "pipe", "inherit"] });
    let printed = 0;
    lines.stdout.on("data", (chunk: Buffer) => (printed += chunk.toString().split("\n").length - 1));

    await sleep(WARM_UP_MS);
    const start = { tui: cpuSeconds(tuiPid), lines: cpuSeconds(lines.pid!), wall: performance.now() };
    const printedAtStart = printed;
    await sleep(seconds * 1000);
    const wall = (performance.now() - start.wall) / 1000;
    const tui = cpuSeconds(tuiPid) - start.tui;
    const compact = cpuSeconds(lines.pid!) - start.lines;
    const screen = tmux("capture-pane", "-p", "-t", "tui");

    tmux("send-keys", "-t", "tui", "q");
    lines.kill("SIGTERM");
    const percent = (cpu: number) => `${((cpu / wall) * 100).toFixed(1)}% of one core`;
    console.log(`replay at ${1000 / INTERVAL_MS} Hz for ${wall.toFixed(1)} s (after ${WARM_UP_MS / 1000} s warm-up), ${values.columns}×${values.rows} pane`);
    console.log(`  TUI (Ink, tmux pty)      ${tui.toFixed(2)} s CPU  ${percent(tui)}  now at ${/sample #\d+/.exec(screen)?.[0] ?? "?"}`);
    console.log(`  compact lines (a pipe)   ${compact.toFixed(2)} s CPU  ${percent(compact)}  ${printed - printedAtStart} lines`);
    console.log(`  ratio TUI / lines        ${compact > 0 ? (tui / compact).toFixed(1) : "∞"}×`);
  } finally {
    try {
      tmux("kill-server");
    } catch {
      // already gone
    }
    rmSync(scratch, { recursive: true, force: true });
  }
}

await main();
