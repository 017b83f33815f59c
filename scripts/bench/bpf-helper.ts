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
import { parseArgs } from "node:util";
import { LAB, labUp } from "../lab-env.js";
import { drive, median, spread, stage, unstage } from "./helper-bench-driver.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "10" },
    samples: { type: "string", default: "500" },
    seconds: { type: "string", default: "30" },
    lab: { type: "string", multiple: true, default: [] },
  },
});

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
      const samples = drive(where, ["samples", backend, values.samples!], dir)[backend] as Record<string, number>;
      console.log(
        `one ${backend} sample, read_us over ${samples.n}: median ${samples.median} µs, p99 ${samples.p99} µs, min ${samples.min} µs`,
      );
    }
    const cpu = drive(where, ["cpu", "bpf", "20", values.seconds!], dir);
    console.log(
      `bpf at 20 Hz: ${String(cpu.samples)} samples in ${String(cpu.seconds)} s, helper CPU ${String(cpu.cpu_s)} s = ${String(cpu.core_percent)} % of a core`,
    );
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
