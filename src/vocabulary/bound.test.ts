// The bound's words, each number in them checked against the kernel's own formula by hand.
import { describe, expect, it } from "vitest";
import { boundFor } from "../analysis/bound.js";
import { boundCurveWords, boundFormula, boundRuleWords, EVERY_N_FAULTS } from "./bound.js";

describe("boundFormula", () => {
  it("says how a percpu bound was derived", () => {
    expect(boundFormula(boundFor({ era: "percpu", cpus: 4, pageSize: 4096 }))).toBe("4 CPUs × (batch 32 − 1)");
    expect(boundFormula(boundFor({ era: "percpu", cpus: 1, pageSize: 4096 }))).toBe("1 CPU × (batch 32 − 1)");
  });

  it("says how a split-rss bound was derived, with the fault-around of its page size", () => {
    const bound = boundFor({ era: "split-rss", cpus: 4, threads: 5, faultAroundPages: 16, pageSize: 4096 });
    expect(boundFormula(bound)).toMatch(/^≈ 64 faults × 5 threads × 16 pages per file fault$/);
    expect(boundFormula(boundFor({ era: "split-rss", cpus: 4, threads: 1, pageSize: 65536 }))).toBe(
      "≈ 64 faults × 1 thread × 1 page per file fault",
    );
  });

  it("says why there is no bound", () => {
    expect(boundFormula(boundFor({ era: "none", cpus: 8, pageSize: 4096 }))).toBe("no RSS cache on this kernel: cached == exact");
    expect(boundFormula(boundFor({ era: "unknown", cpus: 8, pageSize: 4096 }))).toBe("unknown counter layout: no bound");
  });
});

describe("the rules in words", () => {
  it("names mm/memory.c's 64 fault events once, in every sentence that needs them", () => {
    expect(EVERY_N_FAULTS).toBe("every 64 page faults");
    expect(boundRuleWords("split-rss", 16)).toContain(EVERY_N_FAULTS);
    expect(boundRuleWords("split-rss", 16)).toContain("≈ 64 faults × threads × 16 pages");
    expect(boundCurveWords("split-rss", 4)).toBe("≈ 64 × T × 4 pages: linear in the threads that fault");
  });

  it("gives the percpu curve's knee where the batch starts to grow: 16 CPUs, 31 pages each below it", () => {
    expect(boundCurveWords("percpu", 16)).toBe("N × (max(32, 2N) − 1): 31 pages per CPU up to 16 CPUs, then ≈ 2·N²");
    expect(boundRuleWords("percpu", 16)).toContain("batch = max(32, 2 × online CPUs)");
  });
});
