// The soak: `rssdrift watch PID --host … --interval 100 --json` against a process in a lab guest
// for a long time (default 1 h), checking that neither rssdrift here nor its helper in the guest
// grows, and that no sample goes missing. Not run in CI; results in docs/BENCHMARKS.md.
//
// --json is the watch command's non-interactive path (src/ui/run-non-interactive.ts): the same
// source as the live view (openSampleSource with reconnect), the same per-sample analysis, one
// JSON line per sample instead of an Ink frame, so every sample's seq and mono_ms can be counted.
// Every --every seconds it reads rssdrift's VmRSS/VmHWM here (/proc/PID/status) and the helper's
// in the guest (a separate `lab ssh`), and prints one JSON line; the last line is the summary.
// The suite must be up (scripts/lab/README.md); the script starts and ends its own target.
//
//   npm run build && nohup node dist/scripts/bench/soak.js --suite bookworm --seconds 3600 > /tmp/soak.jsonl 2>&1 &
import { execFileSync, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LAB, labEnv } from "../lab-env.js";

const CLI = fileURLToPath(
  new URL(import.meta.url.includes("/dist/") ? "../../cli/rssdrift.js" : "../../dist/cli/rssdrift.js", import.meta.url),
);

const { values } = parseArgs({
  options: {
    suite: { type: "string", default: "bookworm" },
    seconds: { type: "string", default: "3600" },
    interval: { type: "string", default: "100" },
    every: { type: "string", default: "60" },
  },
});
const suite = values.suite!;
const seconds = Number(values.seconds);
const intervalMs = Number(values.interval);
const everyS = Number(values.every);

/** The target: maps and touches 1 MiB, unmaps it, once a second, so the counters keep moving. */
const TARGET = `
import mmap, time
while True:
    m = mmap.mmap(-1, 1 << 20)
    for i in range(0, 1 << 20, 4096): m[i] = 1
    m.close()
    time.sleep(1)
`;

function guest(argv: string[]): string {
  return execFileSync(LAB, ["ssh", suite, "--", ...argv], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

function startTarget(): number {
  const out = guest(["sh", "-c", 'setsid nohup python3 -I -c "$1" >/dev/null 2>&1 </dev/null & echo $!', "sh", TARGET]);
  return Number(out.trim());
}

/** The helper(s) for this interval in the guest: pid, VmRSS and VmHWM in kB. */
function helperMemory(): { pid: number; rssKb: number; hwmKb: number }[] {
  const script =
    'for p in $(pgrep -f -- "--interval $1 --control"); do echo "$p $(awk \'/^VmRSS|^VmHWM/ {printf "%s ", $2}\' /proc/$p/status 2>/dev/null)"; done';
  return guest(["sh", "-c", script, "sh", String(intervalMs)])
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number))
    .filter((fields) => fields.length === 3 && fields.every(Number.isFinite))
    .map(([pid, hwmKb, rssKb]) => ({ pid: pid!, rssKb: rssKb!, hwmKb: hwmKb! })); // status lists VmHWM before VmRSS
}

function localMemory(pid: number): { rssKb: number; hwmKb: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+)`, "m").exec(status)?.[1]);
  return { rssKb: kb("VmRSS"), hwmKb: kb("VmHWM") };
}

const env = labEnv(suite);
if (env.LAB_RUNNING !== "1") {
  console.error(`soak: the ${suite} suite is not up: scripts/lab/lab up ${suite}`);
  process.exit(1);
}
const targetPid = startTarget();
const args = [
  "watch",
  String(targetPid),
  "--host",
  env.LAB_SSH_HOST!,
  "-F",
  env.LAB_SSH_CONFIG!,
  "--interval",
  String(intervalMs),
  "--json",
];
const cli = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
const command = `rssdrift ${args.join(" ")}`;
console.log(JSON.stringify({ start: new Date().toISOString(), command, targetPid, rssdriftPid: cli.pid }));

// what the samples say
let received = 0;
let restarts = 0;
let seqGaps = 0; // samples a seq jump says were skipped
let firstMono: number | null = null;
let firstArrival: number | null = null; // Date.now() when the first and the last sample line came
let lastArrival = 0;
let lastMono: number | null = null;
let lastSeq: number | null = null;
let lateGaps = 0; // gaps between samples over 1.5 intervals (the helper leaves a gap when late)
let maxGapMs = 0;
let stderr = "";
cli.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
const lines = createInterface({ input: cli.stdout });
lines.on("line", (text) => {
  const { sample } = JSON.parse(text) as { sample: { seq: number; mono_ms: number } };
  received++;
  if (lastSeq !== null && sample.seq > lastSeq + 1) seqGaps += sample.seq - lastSeq - 1;
  if (lastSeq !== null && sample.seq <= lastSeq) restarts++; // a new helper (reconnect) starts its seq again
  if (lastMono !== null && sample.seq > lastSeq!) {
    const gap = sample.mono_ms - lastMono;
    maxGapMs = Math.max(maxGapMs, gap);
    if (gap > 1.5 * intervalMs) lateGaps++;
  }
  firstMono ??= sample.mono_ms;
  firstArrival ??= Date.now();
  lastArrival = Date.now();
  lastMono = sample.mono_ms;
  lastSeq = sample.seq;
});

const startedAt = Date.now();
const probes: {
  t: number;
  load: string;
  rssdrift: { rssKb: number; hwmKb: number };
  helper: { pid: number; rssKb: number; hwmKb: number }[];
}[] = [];
function probe(): void {
  try {
    const entry = {
      t: Math.round((Date.now() - startedAt) / 1000),
      rssdrift: localMemory(cli.pid!),
      helper: helperMemory(),
      load: loadavg()[0]!.toFixed(1),
    };
    probes.push(entry);
    console.log(JSON.stringify({ ...entry, received }));
  } catch (e) {
    console.log(JSON.stringify({ t: Math.round((Date.now() - startedAt) / 1000), probeError: (e as Error).message.split("\n")[0] }));
  }
}
// the first probe after a warm-up, once the helper is up and sampling
setTimeout(probe, 15_000);
const timer = setInterval(probe, everyS * 1000);

const exited = new Promise<number | null>((resolve) => cli.on("exit", (code) => resolve(code)));
const stopAt = setTimeout(() => {
  clearInterval(timer);
  cli.kill("SIGINT");
}, seconds * 1000);
const code = await exited;
clearTimeout(stopAt);
clearInterval(timer);
const wallS = (Date.now() - startedAt) / 1000;
try {
  guest(["kill", String(targetPid)]);
} catch {
  /* already gone */
}

const range = (xs: number[]) => (xs.length ? { start: xs[0], end: xs[xs.length - 1], max: Math.max(...xs) } : null);
const helperRss = probes.flatMap((p) => (p.helper.length === 1 ? [p.helper[0]!.rssKb] : []));
console.log(
  JSON.stringify({
    summary: true,
    command,
    exitCode: code,
    stderr: stderr.trim().split("\n").slice(-3),
    wallS: Math.round(wallS),
    intervalMs,
    // from the first sample line to the last, by this machine's clock and by the helper's
    expectedByLocalClock: firstArrival === null ? 0 : Math.floor((lastArrival - firstArrival) / intervalMs) + 1,
    expectedByHelperClock: firstMono === null ? 0 : Math.floor((lastMono! - firstMono) / intervalMs) + 1,
    received,
    seqGaps,
    lateGaps,
    maxGapMs: Math.round(maxGapMs),
    helperRestarts: restarts,
    rssdriftRssKb: range(probes.map((p) => p.rssdrift.rssKb)),
    rssdriftHwmKb: probes.at(-1)?.rssdrift.hwmKb,
    helperRssKb: range(helperRss),
    helperHwmKb: probes.at(-1)?.helper[0]?.hwmKb,
    helperPids: [...new Set(probes.flatMap((p) => p.helper.map((h) => h.pid)))],
  }),
);
