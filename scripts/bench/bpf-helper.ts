// What the bpf backend costs, measured by the helper's own clock where it runs
// (scripts/bench/helper_bench.py): start-up to the first sample, one sample's read_us, and the
// helper's CPU at 20 Hz; on this machine, and with --lab SUITE also in a lab guest, where the bpf
// and drgn backends start in turn in one run (drgn needs the guest's /proc/kcore and debug info).
// The helper is started exactly as rssdrift starts it (helper-launch.ts: python3 -I -c BOOTSTRAP,
// the bundle on stdin). Run as root; a lab suite that is not up is booted, and powered off again
// afterwards. Results and how to read them: docs/BENCHMARKS.md.
//
//   npm run build && node dist/scripts/bench/bpf-helper.js [--runs 10] [--samples 500] [--seconds 30] [--lab trixie]
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LAB, labUp } from "../lab-env.js";
import { BOOTSTRAP, helperPreamble } from "../../src/sources/helper-launch.js";

const DRIVER = fileURLToPath(new URL(import.meta.url.includes("/dist/") ? "../../../scripts/bench/helper_bench.py" : "./helper_bench.py", import.meta.url));
const GUEST_DIR = "/tmp/rssdrift-bench";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10" },
    samples: { type: "string", default: "500" },
    seconds: { type: "string", default: "30" },
    lab: { type: "string", multiple: true, default: [] },
  },
});

type Result = Record<string, unknown> & { kernel: string };

/** Runs the driver here or in a lab guest -> its JSON result. */
function drive(where: string | null, args: string[], dir: string): Result {
  const argv = ["python3", where ? `${GUEST_DIR}/helper_bench.py` : DRIVER, dir, ...args];
  const out = where
    ? execFileSync(LAB, ["ssh", where, "--", ...argv], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] })
    : execFileSync(argv[0]!, argv.slice(1), { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  return JSON.parse(out) as Result;
}

/** bootstrap.py and preamble.bin, the helper as rssdrift sends it, in a directory here or in the guest. */
function stage(where: string | null): string {
  const files = { "bootstrap.py": Buffer.from(BOOTSTRAP), "preamble.bin": helperPreamble() };
  if (!where) {
    const dir = mkdtempSync(join(tmpdir(), "rssdrift-bench-"));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  }
  const put = (name: string, content: Buffer) =>
    execFileSync(LAB, ["ssh", where, "--", "sh", "-c", 'mkdir -p "$1" && cat > "$1/$2"', "sh", GUEST_DIR, name], { input: content });
  for (const [name, content] of Object.entries(files)) put(name, content);
  put("helper_bench.py", readFileSync(DRIVER));
  return GUEST_DIR;
}

function unstage(where: string | null, dir: string): void {
  if (where) execFileSync(LAB, ["ssh", where, "--", "rm", "-rf", GUEST_DIR]);
  else rmSync(dir, { recursive: true, force: true });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const spread = (xs: number[]) => `${median(xs).toFixed(3)} (${Math.min(...xs).toFixed(3)}–${Math.max(...xs).toFixed(3)})`;

function measure(where: string | null): void {
  const name = where ? `lab ${where}` : "this machine";
  const backends = where ? ["bpf", "drgn"] : ["bpf"];
  const dir = stage(where);
  try {
    const startup = drive(where, ["startup", backends.join(","), values.runs!], dir);
    console.log(`\n## ${name}: kernel ${startup.kernel}, ${String(startup.cpus)} CPUs`);
    console.log(`start-up to the first sample, ${values.runs} runs each, in turn (median (min–max), seconds):`);
    for (const backend of [...backends, "python"]) {
      const { wall_s: wall, cpu_s: cpu } = startup[backend] as { wall_s: number[]; cpu_s: number[] };
      const label = backend === "python" ? "python3 -I -c pass (the floor)" : backend;
      console.log(`  ${label.padEnd(5)} wall ${spread(wall)}   cpu ${spread(cpu)}`);
    }
    if (where) {
      const [bpf, drgn] = backends.map((backend) => median((startup[backend] as { wall_s: number[] }).wall_s));
      console.log(`  drgn / bpf wall: ${(drgn! / bpf!).toFixed(1)}×`);
    }
    for (const backend of backends) {
      const samples = drive(where, ["samples", backend, values.samples!], dir).read_us as Record<string, number>;
      console.log(`one ${backend} sample, read_us over ${samples.n}: median ${samples.median} µs, p99 ${samples.p99} µs, min ${samples.min} µs`);
    }
    const cpu = drive(where, ["cpu", "bpf", "20", values.seconds!], dir);
    console.log(`bpf at 20 Hz: ${String(cpu.samples)} samples in ${String(cpu.seconds)} s, helper CPU ${String(cpu.cpu_s)} s = ${String(cpu.core_percent)} % of a core`);
  } finally {
    unstage(where, dir);
  }
}

/** Measures in a lab guest, booting it first unless it is up (and powering off only what it booted). */
function measureInLab(suite: string): void {
  const { bootedHere } = labUp(suite);
  try {
    measure(suite);
  } finally {
    if (bootedHere) execFileSync(LAB, ["down", suite], { stdio: "inherit" });
  }
}

try {
  measure(null);
  for (const suite of values.lab!) measureInLab(suite);
} catch (e) {
  // one line, not a stack: the failing command already said why on stderr
  console.error(`bpf-helper bench: ${(e as Error).message.split("\n")[0]}`);
  process.exitCode = 1;
}
