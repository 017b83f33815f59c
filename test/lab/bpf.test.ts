// The bpf backend held against the drgn backend on real kernels: both read the same idle
// scripts/drift-target in the guest and must agree slot by slot, on trixie (6.12, per-CPU slots)
// and bookworm (6.1, per-thread caches, read by the bpf program's bounded walk of the thread list).
//
// The helper runs in the guest exactly as rssdrift starts it (helper-launch.ts: `python3 -I -c
// BOOTSTRAP` with the bundle on stdin, over `lab ssh`), once per backend. The targets fault and
// then wait without faulting, so two reads one after the other see the same counters; expected
// values come from the drgn read, the reference, and from the guest's /proc.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { beforeAll, describe, expect, it } from "vitest";
import { COUNTER_NAMES, type HelloLine, type SampleLine } from "../../src/schema/helper-line.js";
import { BOOTSTRAP, helperPreamble } from "../../src/sources/helper-launch.js";
import { copyDriftTarget, removeDriftTarget, startDriftTarget } from "./guest-drift-target.js";
import { guestOnlineCpus, inGuest, labScript, useLabVm, type LabSuite } from "./lab-vm.js";

/** Two targets on different CPUs, with different numbers of threads and pages. */
const TARGETS = [
  { cpus: [1, 3], pages: 100 },
  { cpus: [0, 2, 3], pages: 37 },
];

const suites = [
  { suite: "trixie", era: "percpu", slotKind: "cpu", perCpuOffsets: ["kallsyms", "runqueues"] },
  { suite: "bookworm", era: "split-rss", slotKind: "thread", perCpuOffsets: ["none"] },
] as const satisfies readonly { suite: LabSuite; era: string; slotKind: string; perCpuOffsets: readonly string[] }[];

interface HelperRun {
  hello: HelloLine & { bpf?: { per_cpu_offsets: string; insns: number; btf_ms: number; load_ms: number } };
  sample: SampleLine;
}

/** One sample of `pid` by the helper in the guest, started as rssdrift starts it, with --backend. */
async function readInGuest(suite: LabSuite, pid: number, backend: "drgn" | "bpf"): Promise<HelperRun> {
  const argv = ["python3", "-I", "-c", BOOTSTRAP, "--pid", String(pid), "--backend", backend, "--smaps"];
  const result = await inGuest(suite, argv, helperPreamble());
  const lines = result.stdout
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { type: string });
  expect({ code: result.code, stderr: result.stderr, last: lines.at(-1)?.type }, result.stdout).toEqual({
    code: 0,
    stderr: "",
    last: "sample",
  });
  return { hello: lines.at(-2) as HelperRun["hello"], sample: lines.at(-1) as SampleLine };
}

/**
 * A target with `threads` worker threads, each touching 8 pages and then waiting: more threads than
 * the bpf program's first thread walk (64), so the walk is built longer. Ends when its stdin does.
 */
const MANY_THREADS = `
import mmap, os, sys, threading, time
n = int(sys.argv[1])
ready = threading.Barrier(n + 1)
def worker():
    area = mmap.mmap(-1, 8 * mmap.PAGESIZE, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    for i in range(8):
        area[i * mmap.PAGESIZE] = 1
    forever = threading.Event()  # made before the barrier: after it, a thread allocates nothing
    ready.wait()
    forever.wait()
for _ in range(n):
    threading.Thread(target=worker, daemon=True).start()
ready.wait()
time.sleep(1)  # the threads' way back from the barrier into their wait, before anyone reads the counters
print(os.getpid(), flush=True)
sys.stdin.read()
`;

async function startManyThreads(suite: LabSuite, threads: number): Promise<{ pid: number; stop(): Promise<void> }> {
  const child = spawn(labScript, ["ssh", suite, "--", "python3", "-c", MANY_THREADS, String(threads)], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  child.stdin.on("error", () => undefined);
  const ended = new Promise<void>((resolve) => child.once("close", () => resolve()));
  const first = await new Promise<string>((resolve) => createInterface({ input: child.stdout }).once("line", resolve));
  return {
    pid: Number(first),
    async stop() {
      child.stdin.end();
      await ended;
    },
  };
}

const bySlot = (residue: { slot: number; pages: number }[]) => [...residue].sort((a, b) => a.slot - b.slot);

const countersOf = (run: HelperRun) =>
  JSON.stringify(COUNTER_NAMES.map((name) => ({ ...run.sample.counters![name], residue: bySlot(run.sample.counters![name].residue) })));

/**
 * A bpf read between two drgn reads, taken again (up to `tries` times) until the drgn reads agree:
 * a target that is still settling (a thread on its way into its wait) is not a disagreement.
 */
async function readBetweenQuietDrgnReads(suite: LabSuite, pid: number, tries = 3): Promise<{ drgn: HelperRun; bpf: HelperRun }> {
  for (let attempt = 1; ; attempt++) {
    const before = await readInGuest(suite, pid, "drgn");
    const bpf = await readInGuest(suite, pid, "bpf");
    const after = await readInGuest(suite, pid, "drgn");
    if (countersOf(before) === countersOf(after) || attempt === tries) return { drgn: after, bpf };
  }
}

describe.each(suites)("the bpf backend on the $suite lab VM agrees with drgn", ({ suite, era, slotKind, perCpuOffsets }) => {
  const targets: { stop(): Promise<void> }[] = [];
  useLabVm(suite, {
    afterBoot: async () => {
      const online = await guestOnlineCpus(suite);
      if (!online.includes(3))
        throw new Error(`the ${suite} VM has CPUs ${online.join(",")}; these tests need 0-3 (lab up ${suite} --cpus 4)`);
      await copyDriftTarget(suite);
    },
    beforeDown: async () => {
      await Promise.all(targets.map((target) => target.stop()));
      await removeDriftTarget(suite);
    },
  });

  const reads: { target: (typeof TARGETS)[number]; pid: number; drgn: HelperRun; bpf: HelperRun }[] = [];
  beforeAll(async () => {
    for (const target of TARGETS) {
      const started = await startDriftTarget(suite, ["--cpus", target.cpus.join(","), "--pages", String(target.pages)]);
      targets.push(started);
      const drgn = await readInGuest(suite, started.pid, "drgn");
      const bpf = await readInGuest(suite, started.pid, "bpf");
      reads.push({ target, pid: started.pid, drgn, bpf });
    }
  });

  it(`says the same about the kernel: era ${era}, the same layout, CPUs, batch and target`, () => {
    for (const { pid, drgn, bpf } of reads) {
      const { backend: _b, drgn: _d, bpf: extra, ...fromBpf } = bpf.hello;
      const { backend: _b2, drgn: _d2, ...fromDrgn } = drgn.hello;
      expect(fromBpf).toEqual(fromDrgn);
      expect(bpf.hello).toMatchObject({ backend: "bpf", drgn: null, era, slot_kind: slotKind, target: { pid } });
      expect(perCpuOffsets).toContain(extra!.per_cpu_offsets);
      console.log(
        `${suite} (${bpf.hello.kernel}) pid ${pid}: layout "${bpf.hello.layout}", batch ${bpf.hello.batch}, ` +
          `bpf ${JSON.stringify(extra)}`,
      );
    }
  });

  it(`reads every counter's count, exact value and ${slotKind} slots exactly as drgn does`, () => {
    for (const { target, pid, drgn, bpf } of reads) {
      for (const name of COUNTER_NAMES) {
        const ours = bpf.sample.counters![name];
        const reference = drgn.sample.counters![name];
        expect({ pid, name, count: ours.count, exact: ours.exact, residue: bySlot(ours.residue) }).toEqual({
          pid,
          name,
          count: reference.count,
          exact: reference.exact,
          residue: bySlot(reference.residue),
        });
      }
      const anon = bpf.sample.counters!.anon;
      console.log(
        `${suite} pid ${pid} (cpus ${target.cpus.join(",")}, ${target.pages} pages each): anon count ${anon.count}, ` +
          `exact ${anon.exact}, slots ${JSON.stringify(bySlot(anon.residue).filter((slot) => slot.pages !== 0))}; ` +
          `drgn read ${drgn.sample.read_us} µs, bpf ${bpf.sample.read_us} µs`,
      );
    }
  });

  it("reads a target with 150 threads as drgn does (a longer thread walk on split-rss)", async () => {
    const target = await startManyThreads(suite, 150);
    targets.push(target);
    const { drgn, bpf } = await readBetweenQuietDrgnReads(suite, target.pid);
    expect(bpf.sample.threads).toBe(151);
    for (const name of COUNTER_NAMES) {
      const ours = bpf.sample.counters![name];
      const reference = drgn.sample.counters![name];
      expect({ name, count: ours.count, exact: ours.exact, residue: bySlot(ours.residue) }).toEqual({
        name,
        count: reference.count,
        exact: reference.exact,
        residue: bySlot(reference.residue),
      });
    }
    const anon = bpf.sample.counters!.anon;
    console.log(
      `${suite} pid ${target.pid}, 151 threads: anon count ${anon.count}, exact ${anon.exact}, ` +
        `${anon.residue.length} slots, ${anon.residue.filter((slot) => slot.pages !== 0).length} non-zero; ` +
        `bpf ${JSON.stringify(bpf.hello.bpf)}; drgn read ${drgn.sample.read_us} µs, bpf ${bpf.sample.read_us} µs`,
    );
  });

  it("the exact ANON count is smaps_rollup's Anonymous, and the pinned workers' faults are in it", () => {
    for (const { target, bpf } of reads) {
      const anon = bpf.sample.counters!.anon;
      expect(anon.exact).toBe((bpf.sample.proc.smaps_rollup!.Anonymous * 1024) / bpf.hello.page_size);
      expect(anon.exact).toBeGreaterThanOrEqual(target.cpus.length * target.pages);
      if (era === "split-rss") expect(bpf.sample.threads).toBe(target.cpus.length + 1); // the workers and the main thread
    }
  });
});
