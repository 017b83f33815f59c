// explain() on the lab's real runs and on scenarios built from their own numbers (the same as
// src/analysis/analyse.test.ts checks the numbers of). Expected words are the runs' printed
// numbers, docs/how-rss-is-counted.md's figures, or sums done by hand here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { lab612Hello, lab612Sample, lab61Hello, lab61Sample } from "../../test/fixtures/lab-samples.js";
import { percpuHello, percpuSample, procfsLines } from "../../test/fixtures/scenario-samples.js";
import { analyse } from "../analysis/analyse.js";
import type { HelloLine, SampleLine } from "../schema/helper-line.js";
import { parseHelperLine } from "../schema/validate-line.js";
import { NO_ESTIMATE } from "./backends.js";
import { explain } from "./explanation.js";

const sentences = (hello: HelloLine, sample: SampleLine) => explain(analyse(hello, sample), hello);
const explanation = (hello: HelloLine, sample: SampleLine) => sentences(hello, sample).join(" ");

describe("the lab's 6.12 run at 4 vCPUs (percpu era, statm fixed by the stable backport)", () => {
  it("explains it with this sample's CPU, bytes and readers", () => {
    const text = explanation(lab612Hello, lab612Sample);
    expect(sentences(lab612Hello, lab612Sample).length).toBeGreaterThanOrEqual(2);
    expect(sentences(lab612Hello, lab612Sample).length).toBeLessThanOrEqual(4);
    expect(text).toContain("On this 4-CPU machine each counter can hide up to 124 pages (496 KiB)");
    expect(text).toContain("the most on CPU 2 (73 pages, 292 KiB)");
    expect(text).toContain("/proc/PID/stat under-reports by 864 KiB"); // 216 pages × 4 KiB
    expect(text).toContain("CPU 3: -11 anonymous");
    expect(text).toContain("/proc/PID/statm and /proc/PID/status are exact on this kernel");
    expect(text).toContain("memory_full_info()");
    expect(text).toContain("kernels without the v6.16 fix");
  });
});

describe("the lab's 6.1 run at 4 vCPUs (split-rss era)", () => {
  it("explains the per-thread caches", () => {
    const text = explanation(lab61Hello, lab61Sample);
    expect(text).toContain("each thread caches its RSS changes and hands them to the mm's count every 64 page faults, so with 5 threads");
    expect(text).toContain("≈ 5120 pages (20 MiB)");
    expect(text).toContain("the most in thread 373 (943 pages, ≈3.7 MiB)");
    // 2090 pages × 4 KiB = 8.16 MiB
    expect(text).toContain("/proc/PID/statm, /proc/PID/status and /proc/PID/stat under-report by ≈8.2 MiB");
    expect(text).toContain("smaps_rollup's page-table walk agrees with the exact sum");
  });

  it("says the same without drift", () => {
    const sample = { ...lab61Sample, counters: structuredClone(lab61Sample.counters)!, proc: structuredClone(lab61Sample.proc) };
    for (const c of Object.values(sample.counters)) {
      c.count = c.exact;
      c.cached = c.exact;
      c.residue = c.residue.map((s) => ({ ...s, pages: 0 }));
    }
    sample.proc.statm.resident = 12968;
    sample.proc.status.VmRSS = 12968 * 4;
    sample.proc.stat_rss = 12968;
    expect(sentences(lab61Hello, sample)[0]).toBe(
      "There is no drift right now, but each thread caches its RSS changes and hands them to the mm's count every 64 page faults, so with 5 threads a counter can lag by ≈ 5120 pages (20 MiB).",
    );
  });
});

describe("a recording of the real helper in the lab (6.12, 4 vCPUs)", () => {
  it("names the fullest CPU", () => {
    // test/fixtures/lab-6.12-drift-target.jsonl: see src/analysis/analyse.test.ts
    const lines = readFileSync(new URL("../../test/fixtures/lab-6.12-drift-target.jsonl", import.meta.url), "utf8")
      .trim()
      .split("\n")
      .map((line) => parseHelperLine(line));
    const hello = lines.find((l) => l.type === "hello")!;
    const sample = lines.find((l) => l.type === "sample")!;
    if (hello.type !== "hello" || sample.type !== "sample") throw new Error("the recording lacks a hello or a sample");
    expect(explanation(hello, sample)).toContain(`the most on CPU ${analyse(hello, sample).residue[0]!.slot}`);
  });
});

describe("the seed scenario", () => {
  // docs/how-rss-is-counted.md: 256 anonymous pages touched, 32 of them parked in CPU 3's slot of a 32-CPU runner
  const hello = percpuHello(32, 64);
  const sample = percpuSample({ cpus: 32, batch: 64, counters: { anon: { count: 256 - 32, slots: { 3: 32 } } }, statm: "cached" });

  it("names the CPU, the bytes and the advice", () => {
    const text = explanation(hello, sample);
    expect(text).toContain("On this 32-CPU machine each counter can hide up to 2016 pages (≈7.9 MiB) in per-CPU slots");
    expect(text).toContain("32 anonymous pages (128 KiB) sit on CPU 3");
    expect(text).toContain("/proc/PID/statm, /proc/PID/status and /proc/PID/stat under-report by 128 KiB");
    expect(text).toContain("lacks the v6.16 fix");
    expect(text).toContain("read smaps_rollup (psutil's memory_full_info() takes uss and pss from it, but its rss field is still statm)");
    expect(text).toContain("online CPUs × (batch − 1) = 2016 pages (≈7.9 MiB) per counter");
  });
});

describe("negative slots", () => {
  it("explains an over-report from a negative slot", () => {
    // 1000 anon pages counted, then 10 freed on CPU 5 after being faulted in elsewhere
    const sample = percpuSample({ cpus: 8, batch: 32, counters: { anon: { count: 1000, slots: { 5: -10 } } }, statm: "cached" });
    const text = explanation(percpuHello(8, 32), sample);
    expect(text).toContain("over-report by 40 KiB");
    expect(text).toContain("CPU 5: -10 anonymous");
  });
});

describe("who sees what", () => {
  it("cannot tell without drift, and says the bound instead", () => {
    const sample = percpuSample({ cpus: 8, batch: 32, counters: { anon: { count: 500 }, file: { count: 300 } }, statm: "exact" });
    const text = explanation(percpuHello(8, 32), sample);
    expect(text).toContain("On this 8-CPU machine there is no drift right now, but each counter can hide up to 248 pages (≈1 MiB)");
    expect(text).toContain("cannot tell whether /proc/PID/statm, /proc/PID/status and /proc/PID/stat read the cached or the exact count");
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
    expect(explanation(percpuHello(2, 32, { smaps: true }), sample)).toContain(
      "smaps_rollup's page-table walk is 2 pages off the exact sum",
    );
  });

  it("names a reader that matched neither value", () => {
    const sample = percpuSample({ cpus: 2, batch: 32, counters: { anon: { count: 90, slots: { 1: 10 } } }, statm: "exact" });
    sample.proc.statm.resident = 95;
    expect(explanation(percpuHello(2, 32), sample)).toContain("/proc/PID/statm matched neither");
  });
});

describe("the procfs estimate", () => {
  const estimateInEvery = (hello: HelloLine, sample: SampleLine) => sentences(hello, sample).every((sentence) => /estimat/i.test(sentence));

  it("takes stat as cached and smaps_rollup as exact", () => {
    const { hello, sample } = procfsLines({
      cpus: 2,
      kernel: "6.8.0-45-generic",
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 4128,
    });
    expect(estimateInEvery(hello, sample)).toBe(true);
    expect(explanation(hello, sample)).toContain("the estimated drift is 32 pages (128 KiB)");
    expect(explanation(hello, sample)).toContain("era percpu, guessed from the kernel release 6.8.0-45-generic");
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
    expect(estimateInEvery(hello, sample)).toBe(true);
    expect(explanation(hello, sample)).toContain("so statm reads the exact sum here");
  });

  it("says when it cannot tell", () => {
    const { hello, sample } = procfsLines({
      cpus: 4,
      kernel: "6.6.30",
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: null,
    });
    expect(estimateInEvery(hello, sample)).toBe(true);
    expect(explanation(hello, sample)).toContain("this estimate cannot tell whether pages are parked");
  });

  it("withholds the estimate of an unstable sample (a torn read is not drift)", () => {
    const { hello, sample } = procfsLines({
      cpus: 2,
      kernel: "6.8.0-45-generic",
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 7600,
    });
    const text = explanation(hello, { ...sample, unstable: true });
    expect(text).toContain(NO_ESTIMATE);
    expect(text).toContain("the process changed while it was read; no estimate");
    expect(text).not.toMatch(/drift is/);
  });

  it("says so in every sentence of a guessed split-rss era", () => {
    const { hello, sample } = procfsLines({
      cpus: 4,
      kernel: "5.15.0-100-generic",
      era: "split-rss",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 4000,
    });
    expect(estimateInEvery(hello, sample)).toBe(true);
  });
});

describe("era none", () => {
  it("says there is no cache, and not that a reader cannot tell", () => {
    const hello = percpuHello(1, 32, { era: "none", slot_kind: "none", layout: "struct percpu_counter [4]", batch: null });
    const sample = percpuSample({ cpus: 1, batch: 32, counters: { anon: { count: 300 } }, statm: "exact" });
    for (const c of Object.values(sample.counters!)) c.residue = [];
    const text = explanation(hello, sample);
    expect(text).toContain("This kernel keeps no RSS cache for this process (a uniprocessor build");
    expect(text).not.toContain("cannot tell");
  });
});
