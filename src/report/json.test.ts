import { describe, expect, it } from "vitest";
import { lab61Hello, lab61Sample } from "../../test/fixtures/lab-samples.js";
import { analyse } from "../analysis/analyse.js";
import { parseHelperLine } from "../schema/validate-line.js";
import { JSON_REPORT_SCHEMA, toJsonReport } from "./json.js";

describe("toJsonReport", () => {
  const analysis = analyse(lab61Hello, lab61Sample);
  const parsed = JSON.parse(JSON.stringify(toJsonReport({ hello: lab61Hello, sample: lab61Sample, analysis })));

  it("has a schema version, then hello, sample and analysis", () => {
    expect(Object.keys(parsed)).toEqual(["schema", "hello", "sample", "analysis", "backend"]);
    expect(parsed.schema).toBe(JSON_REPORT_SCHEMA);
    expect(parsed.schema).toBe("rssdrift-report/1");
  });

  it("survives a round trip: the lines still validate and the analysis is intact", () => {
    expect(parseHelperLine(JSON.stringify(parsed.hello))).toEqual(lab61Hello);
    expect(parseHelperLine(JSON.stringify(parsed.sample))).toEqual(lab61Sample);
    // the numbers as analysis gave them; the words beside them are checked below
    expect(parsed.analysis).toMatchObject(JSON.parse(JSON.stringify(analysis)));
    expect(parsed.analysis.rss).toEqual({
      cached: 10878,
      exact: 12968,
      driftPages: 2090,
      driftBytes: 2090 * 4096,
      fractionOfBound: 2090 / 5120,
    });
  });

  it("keeps the words rssdrift-report/1 has always carried beside the numbers", () => {
    expect(parsed.analysis.bound.formula).toMatch(/^≈ 64 faults × 5 threads × 16 pages per file fault$/);
    expect(parsed.analysis.readers.map((r: { label: string }) => r.label)).toEqual([
      "/proc/PID/statm resident",
      "/proc/PID/status VmRSS",
      "/proc/PID/stat field 24 (rss)",
      "/proc/PID/smaps_rollup Rss",
    ]);
    expect(parsed.analysis.readers[0].usedBy).toBe("psutil memory_info().rss, top RES");
    expect(parsed.analysis.explanation.length).toBeGreaterThanOrEqual(2);
    expect(parsed.analysis.explanation.join(" ")).toContain("a counter can lag by ≈ 5120 pages (20 MiB)");
  });

  it("says which backend read the numbers: a recording knows only its hello line's", () => {
    expect(parsed.backend).toEqual({ requested: null, used: "drgn", skipped: [] });
  });

  it("carries what auto skipped and why, as the source said it", () => {
    const skip = { backend: "bpf" as const, code: "no-btf", reason: "no /sys/kernel/btf/vmlinux", hint: "a kernel with BTF" };
    const report = toJsonReport({
      hello: lab61Hello,
      sample: lab61Sample,
      analysis,
      backend: { requested: "auto", used: "drgn", skipped: [skip] },
    });
    expect(JSON.parse(JSON.stringify(report)).backend).toEqual({ requested: "auto", used: "drgn", skipped: [skip] });
  });
});
