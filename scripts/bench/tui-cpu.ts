// What the live view itself costs, measured side by side in one run:
// 1. CPU: the same replay, once as the Ink TUI under a real pseudo-terminal (a tmux pane) and
//    once as compact lines into a pipe; utime + stime from /proc/PID/stat, counted from a warm-up
//    after the first frame with a sample is on screen (so module loading and the first, cold
//    frames are left out however long a busy machine takes to start), at the watch default (a
//    sample every 500 ms) and at 4 Hz. The share of the process's other threads is shown too:
//    V8's optimizing compiler and GC helpers, which keep tiering up the render path for the
//    first ~20 s of a 2 Hz view (--warm-up 30 measures past that). Beside them, in a pane of
//    the same size, Ink redraws a plain frame as often (ink-floor.ts): the floor any Ink view
//    of that size pays.
// 2. Start-up: from starting `rssdrift watch --demo` in a fresh pane to its first frame with a
//    sample (its status line) on screen (the pane polled every 10 ms), several times; median and worst.
// With --baseline DIR (another built checkout, e.g. `git archive main | tar -x -C DIR`, npm ci,
// npm run build) both are measured for it too, in the same run, interleaved.
//
//   npm run build && node dist/scripts/bench/tui-cpu.js [--seconds 30] [--columns 100] [--rows 40]
//                                                       [--starts 7] [--warm-up 3] [--baseline DIR]
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { HelperLine } from "../../src/schema/helper-line.js";
import { parseHelperLine } from "../../src/schema/validate-line.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const RECORDING = join(ROOT, "test/fixtures/lab-6.12-4cpu.jsonl");
const SOCKET = `rssdrift-bench-${process.pid}`;
const TICKS_PER_SECOND = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "30" },
    columns: { type: "string", default: "100" },
    rows: { type: "string", default: "40" },
    starts: { type: "string", default: "7" },
    "warm-up": { type: "string", default: "3" },
    baseline: { type: "string" },
  },
});
const seconds = Number(values.seconds);
const warmUpMs = Number(values["warm-up"]) * 1000;
const builds = [{ name: "this build", root: ROOT }, ...(values.baseline ? [{ name: "baseline", root: values.baseline }] : [])];
const cliOf = (root: string) => join(root, "dist/cli/rssdrift.js");

/**
 * The lab recording's samples, looped and re-timed `intervalMs` apart, long enough for the run:
 * the shipped recording lasts 20 s at 500 ms. Written to a temporary file, never shipped.
 */
function loopedRecording(path: string, samples: number, intervalMs: number): void {
  const lines: HelperLine[] = readFileSync(RECORDING, "utf8")
    .trim()
    .split("\n")
    .map((line) => parseHelperLine(line));
  const hello = lines.find((line) => line.type === "hello")!;
  const recorded = lines.filter((line) => line.type === "sample");
  const out = [JSON.stringify({ ...hello, interval_ms: intervalMs })];
  for (let seq = 0; seq < samples; seq++) {
    out.push(JSON.stringify({ ...recorded[seq % recorded.length]!, seq, mono_ms: 1000 + seq * intervalMs }));
  }
  writeFileSync(path, `${out.join("\n")}\n`);
}

/** utime + stime from a /proc stat file, in seconds */
function statCpuSeconds(path: string): number {
  const stat = readFileSync(path, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" "); // fields[0] is field 3
  return (Number(fields[14 - 3]) + Number(fields[15 - 3])) / TICKS_PER_SECOND;
}

/** utime + stime of a process (all its threads), in seconds */
const cpuSeconds = (pid: number) => statCpuSeconds(`/proc/${pid}/stat`);
/** utime + stime of a process's main thread (JavaScript), in seconds */
const mainThreadSeconds = (pid: number) => statCpuSeconds(`/proc/${pid}/task/${pid}/stat`);

const tmux = (...args: string[]) => execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const percent = (cpu: number, wall: number) => `${((cpu / wall) * 100).toFixed(1)}%`;

/** waits until a pane shows a frame with a sample on it */
async function firstSampleOnScreen(session: string): Promise<void> {
  const started = performance.now();
  while (!/sample #\d/.test(tmux("capture-pane", "-p", "-t", session))) {
    if (performance.now() - started > 60_000) throw new Error(`${session}: no sample on screen within 60 s`);
    await sleep(50);
  }
}

/** CPU of each build's TUI and of the compact lines, all running at once, `intervalMs` apart */
async function measureCpu(scratch: string, intervalMs: number): Promise<void> {
  const recording = join(scratch, `looped-${intervalMs}.jsonl`);
  // enough samples that no run reaches the end during the measurement
  loopedRecording(recording, Math.ceil(((seconds * 1000 + warmUpMs) / intervalMs) * 1.5) + 60_000 / intervalMs, intervalMs);
  const tuis = builds.map((build, i) => {
    const session = `tui-${intervalMs}-${i}`;
    // a real pty; env -u CI because Ink draws only a final frame when it thinks it is in CI
    tmux(
      "new-session",
      "-d",
      "-s",
      session,
      "-x",
      values.columns!,
      "-y",
      values.rows!,
      "env",
      "-u",
      "CI",
      "TERM=xterm-256color",
      process.execPath,
      cliOf(build.root),
      "replay",
      recording,
    );
    return { ...build, session, pid: Number(tmux("display-message", "-p", "-t", session, "#{pane_pid}").trim()) };
  });
  const floorSession = `floor-${intervalMs}`;
  tmux(
    "new-session",
    "-d",
    "-s",
    floorSession,
    "-x",
    values.columns!,
    "-y",
    values.rows!,
    "env",
    "-u",
    "CI",
    "TERM=xterm-256color",
    process.execPath,
    join(ROOT, "dist/scripts/bench/ink-floor.js"),
    "--interval",
    String(intervalMs),
  );
  const floorPid = Number(tmux("display-message", "-p", "-t", floorSession, "#{pane_pid}").trim());
  const lines = spawn(process.execPath, [cliOf(ROOT), "replay", recording], { stdio: ["ignore", "pipe", "inherit"] });
  let printed = 0;
  lines.stdout.on("data", (chunk: Buffer) => (printed += chunk.toString().split("\n").length - 1));

  for (const tui of tuis) await firstSampleOnScreen(tui.session);
  await sleep(warmUpMs);
  const start = {
    tuis: tuis.map((t) => cpuSeconds(t.pid)),
    main: tuis.map((t) => mainThreadSeconds(t.pid)),
    floor: cpuSeconds(floorPid),
    floorMain: mainThreadSeconds(floorPid),
    lines: cpuSeconds(lines.pid!),
    wall: performance.now(),
    printed,
  };
  await sleep(seconds * 1000);
  const wall = (performance.now() - start.wall) / 1000;
  const compact = cpuSeconds(lines.pid!) - start.lines;
  console.log(
    `replay, a sample every ${intervalMs} ms, for ${wall.toFixed(1)} s (from ${warmUpMs / 1000} s after the first sample on screen), ${values.columns}×${values.rows} pane`,
  );
  tuis.forEach((tui, i) => {
    const cpu = cpuSeconds(tui.pid) - start.tuis[i]!;
    const background = cpu - (mainThreadSeconds(tui.pid) - start.main[i]!);
    const at = /sample #\d+/.exec(tmux("capture-pane", "-p", "-t", tui.session))?.[0] ?? "?";
    const ratio = (cpu / Math.max(compact, 0.01)).toFixed(1);
    console.log(
      `  TUI (${tui.name})`.padEnd(26) +
        `${cpu.toFixed(2)} s CPU  ${percent(cpu, wall)} of one core (other threads ${percent(background, wall)})  ${ratio}× the lines  now at ${at}`,
    );
    tmux("send-keys", "-t", tui.session, "q");
  });
  const floor = cpuSeconds(floorPid) - start.floor;
  const floorBackground = floor - (mainThreadSeconds(floorPid) - start.floorMain);
  console.log(
    "  Ink plain frame (floor)".padEnd(26) +
      `${floor.toFixed(2)} s CPU  ${percent(floor, wall)} of one core (other threads ${percent(floorBackground, wall)})`,
  );
  tmux("kill-session", "-t", floorSession);
  console.log(
    "  compact lines (a pipe)".padEnd(26) +
      `${compact.toFixed(2)} s CPU  ${percent(compact, wall)} of one core  ${printed - start.printed} lines`,
  );
  lines.kill("SIGTERM");
}

/** ms from starting `watch --demo` in a fresh pane to a frame with a sample on it (its status
 * line: a frame taller than the pane, as before the layout fitted, loses its top lines) */
async function firstFrameMs(root: string, name: string): Promise<number> {
  const started = performance.now();
  tmux(
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    values.columns!,
    "-y",
    values.rows!,
    "env",
    "-u",
    "CI",
    "TERM=xterm-256color",
    process.execPath,
    cliOf(root),
    "watch",
    "--demo",
  );
  for (;;) {
    if (tmux("capture-pane", "-p", "-t", name).includes("▶ replay")) break;
    if (performance.now() - started > 60_000) throw new Error(`${name}: no frame within 60 s`);
    await sleep(10);
  }
  const ms = performance.now() - started;
  tmux("send-keys", "-t", name, "q");
  return ms;
}

async function measureStart(): Promise<void> {
  const times = builds.map(() => [] as number[]);
  for (let run = 0; run < Number(values.starts); run++) {
    // interleaved, so a busy moment on the machine hits both builds alike
    for (const [i, build] of builds.entries()) times[i]!.push(await firstFrameMs(build.root, `start-${run}-${i}`));
  }
  console.log(`start-up: \`rssdrift watch --demo\` to its first frame with a sample, ${values.starts} starts each, interleaved`);
  builds.forEach((build, i) => {
    const sorted = [...times[i]!].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    console.log(
      `  ${build.name.padEnd(11)} median ${median.toFixed(0)} ms  best ${sorted[0]!.toFixed(0)} ms  worst ${sorted.at(-1)!.toFixed(0)} ms`,
    );
  });
}

async function main(): Promise<void> {
  const scratch = mkdtempSync(join(tmpdir(), "rssdrift-bench-"));
  try {
    console.log(
      `load average at start: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")} (${execFileSync("nproc", { encoding: "utf8" }).trim()} cores)`,
    );
    await measureStart();
    await measureCpu(scratch, 500);
    await measureCpu(scratch, 250);
    console.log(`load average at end: ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}`);
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
