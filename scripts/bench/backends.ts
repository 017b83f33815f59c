// The backends side by side in one run, in the lab suite that is up (its vCPUs are whatever
// `lab up SUITE --cpus N` gave it): bpf, drgn and procfs, against a bare drgn program
// (bare_drgn.py: the same counters, no rssdrift) and a plain /proc/PID/smaps_rollup read.
//
//   - start-up, in the guest: from starting the reader to its first sample (helper_bench.py
//     startup; procfs: the commands it runs on the target before its first sample, without SSH);
//   - one sample, in the guest: the helper's read_us (bpf, drgn), the bare program's own timing,
//     procfs's two rounds of `cat` in `sh`, one smaps_rollup read; against an idle target, and
//     with --sizes against targets with that many MiB resident (4 KiB pages);
//   - one-shot, end to end: `rssdrift PID --host … --backend B --json` from this machine over
//     SSH, wall time, the backends in turn.
// Prints what it measured and, with --json FILE, writes it all there. Results: docs/BENCHMARKS.md.
//
//   npm run build && node dist/scripts/bench/backends.js --suite trixie [--runs 3] [--samples 100] \
//     [--cli-runs 3] [--sizes 64,1024,4096 [--here]] [--json /tmp/backends-4.json]
import { execFileSync, spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { LAB, labEnv } from "../lab-env.js";
import { drive, median, spread, stage, unstage, type Result } from "./helper-bench-driver.js";

const CLI = fileURLToPath(
  new URL(import.meta.url.includes("/dist/") ? "../../cli/rssdrift.js" : "../../dist/cli/rssdrift.js", import.meta.url),
);

const { values } = parseArgs({
  options: {
    suite: { type: "string", default: "trixie" },
    runs: { type: "string", default: "3" },
    samples: { type: "string", default: "100" },
    "cli-runs": { type: "string", default: "3" },
    sizes: { type: "string", default: "" },
    // also read the sized targets on this machine (bpf, procfs, smaps: no drgn here), not emulated
    here: { type: "boolean", default: false },
    json: { type: "string" },
  },
});
const suite = values.suite!;

type Summary = { median: number; p99: number; min: number; n: number };
const us = (s: Summary) => `${s.median} µs (p99 ${s.p99}, min ${s.min})`;

function guest(argv: string[]): string {
  return execFileSync(LAB, ["ssh", suite, "--", ...argv], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** `rssdrift PID --host … --backend B --json` over SSH, the backends in turn: wall seconds per backend. */
function cliOneShot(
  env: Record<string, string>,
  backends: string[],
  runs: number,
): Record<string, { wall_s: number[]; failures: string[] }> {
  const pid = guest(["sh", "-c", 'setsid nohup python3 -I -c "import time; time.sleep(3600)" >/dev/null 2>&1 </dev/null & echo $!']).trim();
  const results = Object.fromEntries(backends.map((b) => [b, { wall_s: [] as number[], failures: [] as string[] }]));
  try {
    for (let run = 0; run < runs; run++) {
      for (const backend of backends) {
        const started = process.hrtime.bigint();
        const cli = spawnSync(
          process.execPath,
          [CLI, pid, "--host", env.LAB_SSH_HOST!, "-F", env.LAB_SSH_CONFIG!, "--backend", backend, "--json"],
          {
            encoding: "utf8",
            maxBuffer: 64 << 20,
          },
        );
        const wall = Number(process.hrtime.bigint() - started) / 1e9;
        if (cli.status === 0) results[backend]!.wall_s.push(Number(wall.toFixed(3)));
        else results[backend]!.failures.push(`exit ${cli.status}: ${cli.stderr.trim().split("\n").at(-1)}`);
      }
    }
  } finally {
    guest(["kill", pid]);
  }
  return results;
}

/** The sized targets on this machine: bpf, procfs and smaps (run as root). */
function sizedHere(sizes: string[], count: string): Record<string, Result> {
  const here = stage(null);
  try {
    const results: Record<string, Result> = {};
    for (const mib of sizes) {
      const result = drive(null, ["--target-mib", mib, "samples", "smaps,procfs,bpf", count], here);
      results[mib] = result;
      const line = ["smaps", "procfs", "bpf"].map((b) => `${b} ${(result[b] as Summary).median} µs`).join(", ");
      console.log(`this machine (${result.kernel}), one sample, ${mib} MiB target (${String(result.target_rss_kb)} kB resident): ${line}`);
    }
    return results;
  } finally {
    unstage(null, here);
  }
}

const env = labEnv(suite);
if (env.LAB_RUNNING !== "1") {
  console.error(`backends bench: the ${suite} suite is not up: scripts/lab/lab up ${suite} --cpus N`);
  process.exit(1);
}
const runs = values.runs!;
const count = values.samples!;
const dir = stage(suite);
const out: Record<string, unknown> = { suite, cpus: Number(env.LAB_CPUS), kernel: env.LAB_KERNEL, at: new Date().toISOString() };
try {
  const inGuest = ["bpf", "drgn", "drgn-bare", "procfs"];
  const startup = drive(suite, ["startup", inGuest.join(","), runs], dir);
  out.startup = startup;
  console.log(`## lab ${suite}: kernel ${startup.kernel}, ${String(startup.cpus)} vCPUs (TCG)`);
  console.log(`start-up to the first sample in the guest, ${runs} runs each, in turn (median (min–max), s):`);
  for (const backend of [...inGuest, "python"]) {
    const { wall_s: wall, cpu_s: cpu } = startup[backend] as { wall_s: number[]; cpu_s: number[] };
    console.log(`  ${backend.padEnd(9)} wall ${spread(wall)}   cpu ${spread(cpu)}`);
  }

  const idle = drive(suite, ["samples", [...inGuest, "smaps"].join(","), count], dir);
  out.samples = idle;
  console.log(`one sample, idle target (${String(idle.target_rss_kb)} kB resident), ${count} each: median (p99, min)`);
  for (const backend of [...inGuest, "smaps"]) console.log(`  ${backend.padEnd(9)} ${us(idle[backend] as Summary)}`);

  const sized: Record<string, Result> = {};
  for (const mib of values.sizes!.split(",").filter(Boolean)) {
    const result = drive(suite, ["--target-mib", mib, "samples", "smaps,procfs,bpf,drgn", count], dir);
    sized[mib] = result;
    const line = ["smaps", "procfs", "bpf", "drgn"].map((b) => `${b} ${(result[b] as Summary).median} µs`).join(", ");
    console.log(`one sample, ${mib} MiB target (${String(result.target_rss_kb)} kB resident): ${line}`);
  }
  out.sized = sized;
  if (values.here) out.sizedHere = sizedHere(values.sizes!.split(",").filter(Boolean), count);

  const cli = cliOneShot(env, ["bpf", "drgn", "procfs"], Number(values["cli-runs"]));
  out.cliOneShot = cli;
  console.log(`rssdrift PID --host (SSH) --backend B --json, end to end, ${values["cli-runs"]} runs each (median (min–max), s):`);
  for (const [backend, { wall_s: wall, failures }] of Object.entries(cli)) {
    console.log(`  ${backend.padEnd(9)} ${wall.length ? spread(wall) : "-"}${failures.length ? `   failed: ${failures.join("; ")}` : ""}`);
  }
  const bpfWall = median(cli.bpf!.wall_s);
  if (bpfWall)
    console.log(
      `  drgn / bpf ${(median(cli.drgn!.wall_s) / bpfWall).toFixed(2)}×, procfs / bpf ${(median(cli.procfs!.wall_s) / bpfWall).toFixed(2)}×`,
    );
} catch (e) {
  // one line, not a stack: the failing command already said why on stderr
  console.error(`backends bench: ${(e as Error).message.split("\n")[0]}`);
  process.exitCode = 1;
} finally {
  unstage(suite, dir);
  if (values.json) writeFileSync(values.json, `${JSON.stringify(out, null, 2)}\n`);
}
