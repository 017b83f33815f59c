// Expected values come from docs/how-rss-is-counted.md's worked numbers and from the lab runs
// (lab-recipe.md), not from the code under test.
import { describe, expect, it } from "vitest";
import { anonBoundPages, boundFor, defaultFaultAroundPages, percpuBatch } from "./bound.js";

const MiB = 1024 * 1024;

describe("percpuBatch (lib/percpu_counter.c compute_batch_value)", () => {
  it("is 32 on small machines and 2 × N above 16 CPUs", () => {
    // the lab read percpu_counter_batch = 32 at 4 and 8 vCPUs, 64 at 32 vCPUs
    expect(percpuBatch(4)).toBe(32);
    expect(percpuBatch(8)).toBe(32);
    expect(percpuBatch(32)).toBe(64);
    // docs/how-rss-is-counted.md: 128 CPUs → batch 256
    expect(percpuBatch(128)).toBe(256);
    expect(percpuBatch(1)).toBe(32);
    expect(percpuBatch(16)).toBe(32);
    expect(percpuBatch(17)).toBe(34);
  });
});

describe("boundFor, percpu era", () => {
  const perCounter = (cpus: number, pageSize = 4096) => boundFor({ era: "percpu", cpus, pageSize });

  it("matches docs/how-rss-is-counted.md: 8, 32, 128 and 256 CPUs", () => {
    expect(perCounter(8).pagesPerCounter).toBe(248);
    expect((248 * 4096) / MiB).toBeCloseTo(0.97, 2); // "≈ 1 MiB (actually 0.97 MiB)"
    expect(perCounter(32)).toMatchObject({ batch: 64, pagesPerCounter: 2016 });
    expect(perCounter(128)).toMatchObject({ batch: 256, pagesPerCounter: 32640 });
    expect((32640 * 4096) / MiB).toBe(127.5);
    expect(perCounter(256).pagesPerCounter).toBe(130816);
    expect((130816 * 4096) / MiB).toBe(511);
  });

  it("covers 1 and 2 CPUs, where the batch floor of 32 rules", () => {
    // by hand: batch = max(32, 2) = 32; each slot holds at most 31 pages; 1 CPU → 31, 2 CPUs → 62
    expect(perCounter(1)).toMatchObject({ batch: 32, pagesPerCounter: 31 });
    expect(perCounter(2)).toMatchObject({ batch: 32, pagesPerCounter: 62 });
  });

  it("sums three counters for VmRSS", () => {
    expect(perCounter(8).pagesForRss).toBe(3 * 248);
    expect(perCounter(128).pagesForRss).toBe(3 * 32640);
  });

  it("counts pages, so 64 KiB pages make 16 times the bytes", () => {
    const small = perCounter(8, 4096);
    const large = perCounter(8, 65536);
    expect(large.pagesPerCounter).toBe(small.pagesPerCounter);
    expect(large.pagesPerCounter * 65536).toBe(16 * small.pagesPerCounter * 4096);
  });

  it("uses the kernel's batch when the helper read it", () => {
    // a hotplugged machine: 4 online CPUs, but the batch still says 64
    expect(boundFor({ era: "percpu", cpus: 4, batch: 64, pageSize: 4096 }).pagesPerCounter).toBe(4 * 63);
  });
});

describe("boundFor, split-rss era", () => {
  it("is ≈ 64 faults × threads × pages per file fault", () => {
    const bound = boundFor({ era: "split-rss", cpus: 4, threads: 5, faultAroundPages: 16, pageSize: 4096 });
    expect(bound.pagesPerCounter).toBe(64 * 5 * 16);
    // the 64 fault events are shared by a thread's counters: VmRSS has the same bound
    expect(bound.pagesForRss).toBe(64 * 5 * 16);
    expect(bound.pagesPerFault).toBe(16);
    expect(bound.batch).toBeNull();
    // an anonymous fault maps one page
    expect(anonBoundPages(bound)).toBe(64 * 5);
  });

  it("holds for the per-thread caches the lab saw on 6.1", () => {
    // lab-recipe.md, 6.1 at 4 vCPUs: per_task file = {372: 855, 373: 943, 374: 70, 375: 221}
    const perThread = boundFor({ era: "split-rss", cpus: 4, threads: 1, faultAroundPages: 16, pageSize: 4096 }).pagesPerCounter;
    for (const cached of [855, 943, 70, 221]) expect(cached).toBeLessThanOrEqual(perThread);
  });

  it("defaults fault-around to 64 KiB of pages", () => {
    expect(defaultFaultAroundPages(4096)).toBe(16);
    expect(defaultFaultAroundPages(16384)).toBe(4);
    expect(defaultFaultAroundPages(65536)).toBe(1);
    expect(boundFor({ era: "split-rss", cpus: 2, pageSize: 4096 })).toMatchObject({ threads: 1, pagesPerCounter: 64 * 16 });
  });
});

describe("boundFor, no cache", () => {
  it("is 0 for era none and for an unknown layout", () => {
    expect(boundFor({ era: "none", cpus: 8, pageSize: 4096 })).toMatchObject({ pagesPerCounter: 0, pagesForRss: 0 });
    expect(boundFor({ era: "unknown", cpus: 8, pageSize: 4096 }).pagesPerCounter).toBe(0);
  });
});
