// analyse() on the lab's real runs and on scenarios built from their own numbers. Expected
// values are the runs' printed numbers, docs/how-rss-is-counted.md's figures, or sums done by hand here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lab612Hello, lab612Sample, lab61Hello, lab61Sample } from "../../test/fixtures/lab-samples.js";
import { percpuHello, percpuSample, procfsLines } from "../../test/fixtures/scenario-samples.js";
import type { HelperLine } from "../schema/helper-line.js";
import { parseHelperLine } from "../schema/validate-line.js";
import { analyse } from "./analyse.js";
import { verdictOf } from "./readers.js";
import type { Analysis } from "./types.js";

function valid<T extends HelperLine>(line: T): T {
  expect(parseHelperLine(JSON.stringify(line))).toEqual(line);
  return line;
}

const counter = (a: Analysis, name: string) => a.counters!.find((c) => c.name === name)!;
const verdict = (a: Analysis, reader: string) => a.readers.find((r) => r.reader === reader)?.verdict;

describe("the lab's 6.12 run at 4 vCPUs (percpu era, statm fixed by the stable backport)", () => {
  const a = analyse(valid(lab612Hello), valid(lab612Sample));

  it("reports the drift the run printed", () => {
    expect(counter(a, "file").driftPages).toBe(74);
    expect(counter(a, "anon").driftPages).toBe(42);
    expect(counter(a, "shmem").driftPages).toBe(100);
    expect(counter(a, "swap").driftPages).toBe(0);
    expect(counter(a, "anon").driftBytes).toBe(42 * 4096);
    // "drgn cached: resident=12228 | exact: resident=12444"
    expect(a.rss).toMatchObject({ cached: 12228, exact: 12444, driftPages: 216, driftBytes: 216 * 4096 });
  });

  it("bounds each counter by 4 CPUs × (batch 32 − 1) = 124 pages", () => {
    expect(a.bound).toMatchObject({ era: "percpu", batch: 32, cpus: 4, pagesPerCounter: 124, pagesForRss: 372 });
    expect(counter(a, "shmem").fractionOfBound).toBeCloseTo(100 / 124);
    expect(a.rss!.fractionOfBound).toBeCloseTo(216 / 372);
    expect(counter(a, "swap").fractionOfBound).toBe(0);
  });

  it("ranks each counter's slots by size, negative ones included", () => {
    // per_cpu={0: 8, 1: 21, 2: 24, 3: -11}
    expect(counter(a, "anon").residue.map((s) => [s.slot, s.pages])).toEqual([
      [2, 24],
      [1, 21],
      [3, -11],
      [0, 8],
    ]);
    expect(counter(a, "anon").residue[0]!.fractionOfBatch).toBeCloseTo(24 / 31);
    expect(counter(a, "swap").residue).toEqual([]);
  });

  it("sums the RSS counters per CPU", () => {
    // by hand: CPU 0 = 8 + 8 + 20, CPU 1 = 15 + 21 + 23, CPU 2 = 22 + 24 + 27, CPU 3 = 29 - 11 + 30
    expect(a.residue.map((s) => [s.slot, s.pages])).toEqual([
      [2, 73],
      [1, 59],
      [3, 48],
      [0, 36],
    ]);
    expect(a.residue[0]).toMatchObject({ kind: "cpu", bytes: 73 * 4096 });
    // CPU 3's fullest counter is shmem with 30 of at most 31
    expect(a.residue.find((s) => s.slot === 3)!.fractionOfBatch).toBeCloseTo(30 / 31);
  });

  it("sees statm and status exact, stat cached", () => {
    expect(verdict(a, "statm")).toBe("exact");
    expect(verdict(a, "status")).toBe("exact");
    expect(verdict(a, "stat")).toBe("cached");
    expect(a.readers.some((r) => r.reader === "smaps_rollup")).toBe(false);
  });
});

describe("the lab's 6.1 run at 4 vCPUs (split-rss era)", () => {
  const a = analyse(valid(lab61Hello), valid(lab61Sample));

  it("reports the drift the run printed", () => {
    expect(counter(a, "file").driftPages).toBe(2089);
    expect(counter(a, "anon").driftPages).toBe(1);
    expect(a.rss).toMatchObject({ cached: 10878, exact: 12968, driftPages: 2090 });
  });

  it("ranks the threads' caches", () => {
    // thread 372 holds 855 file + 1 anon pages
    expect(a.residue.map((s) => [s.slot, s.pages])).toEqual([
      [373, 943],
      [372, 856],
      [375, 221],
      [374, 70],
    ]);
    expect(a.residue.every((s) => s.kind === "thread" && s.fractionOfBatch === null)).toBe(true);
  });

  it("bounds by ≈ 64 faults × 5 threads × 16 pages", () => {
    expect(a.bound).toMatchObject({ era: "split-rss", threads: 5, pagesPerCounter: 5120 });
  });

  it("sees every counter reader lag and smaps_rollup agree with the exact sum", () => {
    expect(verdict(a, "statm")).toBe("cached");
    expect(verdict(a, "status")).toBe("cached");
    expect(verdict(a, "stat")).toBe("cached");
    // smaps_rollup Rss 51872 kB = 12968 pages
    expect(a.readers.find((r) => r.reader === "smaps_rollup")).toMatchObject({ pages: 12968, verdict: "page-walk", agreesWithExact: true });
  });
});

describe("a recording of the real helper in the lab (6.12, 4 vCPUs)", () => {
  // test/fixtures/lab-6.12-drift-target.jsonl: the raw stdout of `python3 helpers/rss_stat.py
  // --pid P --count 1 --smaps` as root in the trixie lab VM, P being `scripts/drift-target
  // --cpus 1,3 --pages 20` (threads pinned to CPUs 1 and 3, each touching 20 anon pages).
  const lines = readFileSync(new URL("../../test/fixtures/lab-6.12-drift-target.jsonl", import.meta.url), "utf8")
    .trim()
    .split("\n")
    .map((line) => parseHelperLine(line));
  const hello = lines.find((l) => l.type === "hello")!;
  const sample = lines.find((l) => l.type === "sample")!;
  if (hello.type !== "hello" || sample.type !== "sample") throw new Error("the recording lacks a hello or a sample");
  const a = analyse(hello, sample);

  it("finds residue only on the CPUs the target ran on", () => {
    expect(a.residue.length).toBeGreaterThan(0);
    for (const slot of a.residue) expect([1, 3]).toContain(slot.slot);
  });

  it("accounts for the whole drift with the residue of a quiet target", () => {
    // percpu_counter_sum() was read on its own, after the slots: they agree when nothing moved
    expect(a.rss!.driftPages).toBe(a.residue.reduce((sum, slot) => sum + slot.pages, 0));
  });

  it("sees what this kernel shows: statm exact (the stable backport), stat cached, smaps_rollup exact", () => {
    expect(a.rss!.driftPages).not.toBe(0);
    expect(verdict(a, "statm")).toBe("exact");
    expect(verdict(a, "status")).toBe("exact");
    expect(verdict(a, "stat")).toBe("cached");
    expect(a.readers.find((r) => r.reader === "smaps_rollup")?.agreesWithExact).toBe(true);
  });
});

describe("the seed scenario", () => {
  // docs/how-rss-is-counted.md: a test maps 1 MiB anonymous (256 pages) and touches it; statm shows 0.875 MiB
  // because 32 pages are parked in one CPU's slot. A slot holds at most batch − 1 pages, so 32
  // pages fit in one slot from batch 64 on: a 32-CPU CI runner (docs/how-rss-is-counted.md: 32 CPUs → batch 64).
  const touched = 256;
  const parked = 32;
  const hello = valid(percpuHello(32, 64));
  const sample = valid(
    percpuSample({ cpus: 32, batch: 64, counters: { anon: { count: touched - parked, slots: { 3: parked } } }, statm: "cached" }),
  );
  const a = analyse(hello, sample);

  it("finds the cached count short by exactly the parked pages", () => {
    expect(a.rss!.cached * 4096).toBe(0.875 * 1024 * 1024);
    expect(a.rss!.exact).toBe(touched);
    expect(a.rss!.driftPages).toBe(parked);
    expect(a.rss!.driftBytes).toBe(128 * 1024);
    expect(a.residue).toEqual([{ slot: 3, kind: "cpu", pages: parked, bytes: 128 * 1024, fractionOfBatch: parked / 63 }]);
  });

  it("sees statm lag on a kernel without the fix", () => {
    expect(verdict(a, "statm")).toBe("cached");
    expect(verdict(a, "stat")).toBe("cached");
  });
});

describe("clamping and negative slots", () => {
  it("clamps a negative raw count to a cached 0, per counter", () => {
    // anon: count -5, CPU 0 holds 12 → exact 7; file: count -20, CPU 1 holds 5 → exact -15
    const sample = percpuSample({
      cpus: 2,
      batch: 32,
      counters: { anon: { count: -5, slots: { 0: 12 } }, file: { count: -20, slots: { 1: 5 } }, shmem: { count: 10 } },
      statm: "cached",
    });
    const a = analyse(valid(percpuHello(2, 32)), valid(sample));
    expect(counter(a, "anon")).toMatchObject({ count: -5, cached: 0, exact: 7, driftPages: 7 });
    expect(counter(a, "file")).toMatchObject({ count: -20, cached: 0, exact: -15, driftPages: -15 });
    // an exact reader clamps each counter too: max(0, 7) + max(0, -15) + 10
    expect(a.rss).toMatchObject({ cached: 10, exact: 17, driftPages: 7 });
  });

  it("counts an over-report from a negative slot", () => {
    // 1000 anon pages counted, then 10 freed on CPU 5 after being faulted in elsewhere
    const sample = percpuSample({ cpus: 8, batch: 32, counters: { anon: { count: 1000, slots: { 5: -10 } } }, statm: "cached" });
    const a = analyse(valid(percpuHello(8, 32)), valid(sample));
    expect(a.rss!.driftPages).toBe(-10);
    expect(a.residue).toEqual([{ slot: 5, kind: "cpu", pages: -10, bytes: -40960, fractionOfBatch: 10 / 31 }]);
  });
});

describe("who sees what", () => {
  it("decides from the numbers", () => {
    expect(verdictOf(100, 90, 100)).toBe("exact");
    expect(verdictOf(90, 90, 100)).toBe("cached");
    expect(verdictOf(95, 90, 100)).toBe("neither");
    expect(verdictOf(90, 90, 90)).toBe("both");
    expect(verdictOf(91, 90, 90)).toBe("neither");
  });

  it("cannot tell without drift", () => {
    const sample = percpuSample({ cpus: 8, batch: 32, counters: { anon: { count: 500 }, file: { count: 300 } }, statm: "exact" });
    const a = analyse(valid(percpuHello(8, 32)), valid(sample));
    expect(a.readers.map((r) => r.verdict)).toEqual(["both", "both", "both"]);
    expect(a.residue).toEqual([]);
  });

  it("flags smaps_rollup when its walk disagrees with the exact sum", () => {
    // exact 100 pages, but smaps_rollup saw 408 kB = 102 pages: the memory changed in between
    const sample = percpuSample({
      cpus: 2,
      batch: 32,
      counters: { anon: { count: 90, slots: { 1: 10 } } },
      statm: "exact",
      smapsRssKb: 408,
    });
    const a = analyse(valid(percpuHello(2, 32, { smaps: true })), valid(sample));
    expect(a.readers.find((r) => r.reader === "smaps_rollup")).toMatchObject({ pages: 102, agreesWithExact: false });
  });

  it("marks a reader that matched neither value", () => {
    const sample = percpuSample({ cpus: 2, batch: 32, counters: { anon: { count: 90, slots: { 1: 10 } } }, statm: "exact" });
    sample.proc.statm.resident = 95;
    const a = analyse(percpuHello(2, 32), sample);
    expect(verdict(a, "statm")).toBe("neither");
  });
});

describe("the procfs estimate", () => {
  it("takes stat as cached and smaps_rollup as exact", () => {
    // stat 1000 pages; smaps_rollup 4128 kB = 1032 pages; statm lags like stat
    const { hello, sample } = procfsLines({
      cpus: 2,
      kernel: "6.8.0-45-generic",
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 4128,
    });
    const a = analyse(valid(hello), valid(sample));
    expect(a).toMatchObject({ estimate: true, backend: "procfs", counters: null, residue: [] });
    expect(a.rss).toMatchObject({ cached: 1000, exact: 1032, driftPages: 32 });
    // 2 CPUs, batch max(32, 4) = 32: 2 × 31 = 62 per counter
    expect(a.bound.pagesPerCounter).toBe(62);
    expect(verdict(a, "statm")).toBe("cached");
  });

  it("falls back to statm without smaps_rollup", () => {
    const { hello, sample } = procfsLines({
      cpus: 4,
      kernel: "6.16.3",
      era: "percpu",
      statResident: 1000,
      statmResident: 1040,
      smapsRssKb: null,
    });
    const a = analyse(valid(hello), valid(sample));
    expect(a.rss).toMatchObject({ cached: 1000, exact: 1040, driftPages: 40 });
  });

  it("sees no drift when stat and statm agree", () => {
    const { hello, sample } = procfsLines({
      cpus: 4,
      kernel: "6.6.30",
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: null,
    });
    const a = analyse(valid(hello), valid(sample));
    expect(a.rss!.driftPages).toBe(0);
  });

  it("withholds the estimate of an unstable sample (a torn read is not drift)", () => {
    // smaps_rollup read after the process grew by 900 pages: stat 1000, smaps 1900 pages
    const { hello, sample } = procfsLines({
      cpus: 2,
      kernel: "6.8.0-45-generic",
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 7600,
    });
    const torn = valid({ ...sample, unstable: true });
    const a = analyse(valid(hello), torn);
    expect(a).toMatchObject({ estimate: true, unstable: true, rss: null, readers: [], counters: null });
    // the same readings without the mark are an estimate (900 pages, far past the bound of 186)
    expect(analyse(hello, sample)).toMatchObject({ unstable: false, rss: { driftPages: 900 } });
  });

  it("bounds a guessed split-rss era by threads", () => {
    const { hello, sample } = procfsLines({
      cpus: 4,
      kernel: "5.15.0-100-generic",
      era: "split-rss",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 4000,
    });
    const a = analyse(valid(hello), valid(sample));
    // 3 threads, no fault_around from /proc: the 64 KiB default, 16 pages
    expect(a.bound.pagesPerCounter).toBe(64 * 3 * 16);
  });
});

describe("other eras", () => {
  it("era none: no cache, no bound", () => {
    const hello = percpuHello(1, 32, { era: "none", slot_kind: "none", layout: "struct percpu_counter [4]", batch: null });
    const sample = percpuSample({ cpus: 1, batch: 32, counters: { anon: { count: 300 } }, statm: "exact" });
    for (const c of Object.values(sample.counters!)) c.residue = [];
    const a = analyse(valid(hello), valid(sample));
    expect(a.bound.pagesPerCounter).toBe(0);
    expect(a.rss!.fractionOfBound).toBeNull();
    expect(counter(a, "anon").fractionOfBound).toBeNull();
  });
});
