import { describe, expect, it } from "vitest";
import { lab612Hello, lab612Sample, lab61Hello, lab61Sample } from "../../test/fixtures/lab-samples.js";
import { handMadeHello, handMadeSample, seedCounters } from "../../test/fixtures/hand-made-samples.js";
import { HOSTILE, expectNoRawControls } from "../../test/fixtures/hostile-strings.js";
import { percpuHello, percpuSample, procfsLines } from "../../test/fixtures/scenario-samples.js";
import { analyse } from "../analysis/analyse.js";
import type { AnalysedSample, BackendChoice } from "../analysis/types.js";
import type { HelloLine, SampleLine } from "../schema/helper-line.js";
import { explain } from "../vocabulary/explanation.js";
import { renderText } from "./text.js";

const analysed = (hello: HelloLine, sample: SampleLine): AnalysedSample => ({ hello, sample, analysis: analyse(hello, sample) });
const ESC = "\u001b";
const columns = (line: string) => [...line].length;
/** paragraphs wrap at 80 columns: compare their words, not their line breaks */
const flat = (text: string) => text.replace(/\s+/g, " ");

describe("renderText", () => {
  const lab612 = renderText(analysed(lab612Hello, lab612Sample), { color: false });
  const lab61 = renderText(analysed(lab61Hello, lab61Sample), { color: false });

  it("shows the header: kernel, era, drgn, CPUs, batch, page size, pid and comm", () => {
    expect(lab612).toContain("rssdrift · pid 436 (python3) · drgn 0.0.31");
    expect(lab612).toContain("kernel 6.12.107+deb13-cloud-amd64");
    expect(lab612).toContain("era percpu: per-CPU counters (v6.2+), detected from the kernel's types");
    expect(lab612).toContain("4 of 4 CPUs online · batch 32 · page size 4 KiB");
  });

  it("has a row per counter with cached, exact, drift, bytes and share of the bound", () => {
    expect(lab612).toMatch(/file +MM_FILEPAGES +5476 +5550 +\+74 +\+296 KiB +60%/);
    expect(lab612).toMatch(/anon +MM_ANONPAGES +4832 +4874 +\+42 +\+168 KiB +34%/);
    expect(lab612).toMatch(/shmem +MM_SHMEMPAGES +1920 +2020 +\+100 +\+400 KiB +81%/);
    expect(lab612).toMatch(/swap +MM_SWAPENTS +0 +0 +0 +0 B +0%/);
    expect(lab612).toMatch(/RSS +file\+anon\+shmem +12228 +12444 +\+216 +\+864 KiB +58%/);
  });

  it("lists the residue by CPU, largest first, with the breakdown and closeness to the batch", () => {
    const rows = lab612.split("\n").filter((line) => /^ {2}CPU \d/.test(line));
    expect(rows.map((row) => row.trim().split(/\s+/).slice(0, 2).join(" "))).toEqual(["CPU 2", "CPU 1", "CPU 3", "CPU 0"]);
    expect(rows[2]).toMatch(/CPU 3 +\+48 pages +\+192 KiB +file \+29 +anon -11 +shmem \+30 +97% of batch/);
  });

  it("relates the drift to the bound for this CPU count", () => {
    expect(flat(lab612)).toContain("4 CPUs × (batch 32 − 1) = 124 pages (496 KiB)");
    expect(flat(lab612)).toContain("Now: RSS drift 216 of 372 pages (58% of the bound)");
    expect(flat(lab612)).toContain("128 CPUs → 32640 pages (127.5 MiB)");
  });

  it("says who sees what and who reads it", () => {
    expect(lab612).toMatch(/\/proc\/PID\/statm resident +12444 +tracks exact/);
    expect(lab612).toMatch(/\/proc\/PID\/stat field 24 \(rss\) +12228 +tracks cached/);
    expect(lab612).toContain("read by psutil memory_info().rss, top RES");
    expect(flat(lab612)).toContain("read by ps RSS (ps -o rss, ps aux)");
    expect(lab61).toMatch(/\/proc\/PID\/smaps_rollup Rss +12968 +page-table walk, = exact/);
    expect(flat(lab61)).toContain("HotSpot's RSS query since JDK-8359104");
  });

  it("ends with the explanation", () => {
    expect(lab612).toContain("WHAT IT MEANS");
    expect(flat(lab612)).toContain(explain(analyse(lab612Hello, lab612Sample), lab612Hello)[0]);
  });

  it("shows per-thread caches in the split-rss era", () => {
    expect(lab61).toContain("WHERE THE DRIFT SITS: per-thread caches, largest first");
    expect(lab61).toMatch(/thread 373 +\+943 pages +≈\+3\.7 MiB +file \+943/);
    expect(flat(lab61)).toContain("≈ 64 faults × 5 threads × 16 pages per file fault = 5120 pages (20 MiB)");
  });

  it("writes plain text without colour and fits 80 columns", () => {
    for (const text of [lab612, lab61]) {
      expect(text).not.toContain(ESC);
      for (const line of text.split("\n")) expect(columns(line), line).toBeLessThanOrEqual(80);
    }
  });

  it("colours only when asked", () => {
    expect(renderText(analysed(lab612Hello, lab612Sample), { color: true })).toContain(`${ESC}[`);
  });

  it("keeps a narrow terminal's width for its paragraphs", () => {
    const narrow = renderText(analysed(lab612Hello, lab612Sample), { color: false, width: 60 });
    const explanationLines = narrow.slice(narrow.indexOf("WHAT IT MEANS")).split("\n");
    for (const line of explanationLines) expect(columns(line)).toBeLessThanOrEqual(60);
  });

  it("labels every section of a procfs estimate", () => {
    const { hello, sample } = procfsLines({
      cpus: 8,
      kernel: "6.8.0-45-generic",
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 4128,
    });
    const text = renderText(analysed(hello, sample), { color: false });
    expect(text).toContain("procfs estimate (no kernel backend)");
    // asked for procfs: nothing was skipped, so it says how to get the real counters
    expect(flat(text)).toContain("--backend bpf or drgn reads the real counters");
    for (const section of [
      "RSS COUNTERS, in pages",
      "WHERE THE DRIFT SITS",
      "THE BOUND FOR THIS CPU COUNT",
      "WHO SEES WHAT, in pages",
      "WHAT IT MEANS",
    ]) {
      expect(text).toContain(`${section} (estimate)`);
    }
    expect(text).toMatch(/RSS +1000 +1032 +\+32 +\+128 KiB/);
    expect(text).not.toContain("MM_ANONPAGES");
    for (const line of text.split("\n")) expect(columns(line)).toBeLessThanOrEqual(80);
  });

  it("shows no number for an unstable estimate", () => {
    const { hello, sample } = procfsLines({
      cpus: 8,
      kernel: "6.8.0-45-generic",
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 7600,
    });
    const text = renderText(analysed(hello, { ...sample, unstable: true }), { color: false });
    expect(text).toContain("The process changed while it was read; no estimate");
    expect(text).not.toMatch(/RSS +1000/);
    expect(text).not.toContain("+900");
  });

  it("names what stopped each backend auto skipped, with the fix, and never says 'run as root' for it", () => {
    const { hello, sample } = procfsLines({
      cpus: 8,
      kernel: "6.18.0",
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 4128,
    });
    const backend: BackendChoice = {
      requested: "auto",
      used: "procfs",
      skipped: [
        {
          backend: "bpf",
          code: "no-btf",
          reason: "/sys/kernel/btf/vmlinux is missing",
          hint: "use a kernel built with CONFIG_DEBUG_INFO_BTF",
        },
        { backend: "drgn", code: "no-drgn", reason: "drgn is not installed", hint: "apt install python3-drgn" },
      ],
    };
    const text = flat(renderText({ ...analysed(hello, sample), backend }, { color: false }));
    expect(text).toContain("bpf not used (no-btf): /sys/kernel/btf/vmlinux is missing; fix: use a kernel built with CONFIG_DEBUG_INFO_BTF");
    expect(text).toContain("drgn not used (no-drgn): drgn is not installed; fix: apt install python3-drgn");
    expect(text).toContain(
      "ESTIMATE: read from /proc alone, so there are no per-counter or per-CPU numbers: bpf and drgn could not run here",
    );
    expect(text.indexOf("bpf not used")).toBeLessThan(text.indexOf("ESTIMATE"));
    expect(text).not.toMatch(/run (rssdrift )?as root/);
  });

  it("shows a skipped backend's reason and fix from a hostile helper as escapes", () => {
    const { hello, sample } = procfsLines({
      cpus: 2,
      kernel: "6.18.0",
      era: "percpu",
      statResident: 10,
      statmResident: 10,
      smapsRssKb: 44,
    });
    const backend: BackendChoice = {
      requested: "auto",
      used: "procfs",
      skipped: [{ backend: "bpf", code: "internal", reason: HOSTILE.message, hint: "\u001b]0;hint\u0007" }],
    };
    const text = renderText({ ...analysed(hello, sample), backend }, { color: false });
    expectNoRawControls(text, "text with a hostile skip reason");
    expect(text).toContain("bpf not used (internal): no process\\r\\nrssdrift: all good");
  });

  it("names the bpf backend and how it found the per-CPU offsets", () => {
    const hello: HelloLine = {
      ...lab612Hello,
      backend: "bpf",
      drgn: null,
      bpf: { per_cpu_offsets: "runqueues", insns: 400, btf_ms: 80, load_ms: 3 },
    };
    const backend: BackendChoice = { requested: "auto", used: "bpf", skipped: [] };
    const text = flat(renderText({ ...analysed(hello, lab612Sample), backend }, { color: false }));
    expect(text).toContain("rssdrift · pid 436 (python3) · bpf (BTF, per-CPU offsets derived from the runqueues)");
    expect(text).not.toContain("not used");
    expect(text).not.toContain("ESTIMATE");
  });

  it("cuts a long residue list", () => {
    // 128 CPUs, each holding one anon page
    const slots = Object.fromEntries(Array.from({ length: 128 }, (_, cpu) => [cpu, 1]));
    const hello = percpuHello(128, 256);
    const sample = percpuSample({ cpus: 128, batch: 256, counters: { anon: { count: 5000, slots } }, statm: "cached" });
    const text = renderText(analysed(hello, sample), { color: false });
    expect(text).toContain("… and 120 more holding 120 pages (+480 KiB)");
  });

  it("shows a hostile comm, kernel release and drgn version as escapes, and leaves the analysed data exact", () => {
    const lines = procfsLines({
      cpus: 4,
      kernel: HOSTILE.kernel,
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 4128,
    });
    const hello = { ...lines.hello, target: { ...lines.hello.target, comm: HOSTILE.comm } };
    const s = analysed(hello, lines.sample);
    const before = JSON.stringify(s);
    for (const color of [false, true]) {
      const out = renderText(s, { color });
      expectNoRawControls(out, `color ${color}`, { allowSgr: color });
      expect(out).toContain(`(${HOSTILE.shownComm})`);
      expect(out).toContain(`kernel ${HOSTILE.shownKernel}`);
      // the explanation quotes the release too
      expect(flat(out)).toContain(`guessed from the kernel release ${HOSTILE.shownKernel}`);
    }
    const drgn = renderText(handMadeSample(0, seedCounters, handMadeHello({ drgn: "0.0.31\u001b[8m" })), { color: false });
    expect(drgn).toContain("drgn 0.0.31\\e[8m");
    expect(JSON.stringify(s)).toBe(before);
  });
});
