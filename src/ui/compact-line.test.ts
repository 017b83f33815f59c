// The non-interactive line, checked against the raw numbers of a real sample of the lab recording.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { analyse } from "../analysis/analyse.js";
import type { HelloLine, SampleLine } from "../schema/helper-line.js";
import { parseHelperLine } from "../schema/validate-line.js";
import { HOSTILE, expectNoRawControls } from "../../test/fixtures/hostile-strings.js";
import { compactHeader, compactLine } from "./compact-line.js";

const lines = readFileSync(new URL("../../test/fixtures/lab-6.12-4cpu.jsonl", import.meta.url), "utf8")
  .trim()
  .split("\n");
const hello = parseHelperLine(lines[3]!) as HelloLine;
const samples = lines.slice(4).map((line) => parseHelperLine(line) as SampleLine);

describe("compactLine", () => {
  it("says the sample's VmRSS cached and exact, the drift, its bound and where it sits", () => {
    const last = samples.at(-1)!;
    const c = last.counters!;
    // straight from the raw reading: VmRSS = file + anon + shmem
    const cached = c.file.cached + c.anon.cached + c.shmem.cached;
    const exact = c.file.exact + c.anon.exact + c.shmem.exact;
    const line = compactLine({ hello, sample: last, analysis: analyse(hello, last) }, samples[0]!.mono_ms);
    expect(line).toContain(`#39 t+${((last.mono_ms - samples[0]!.mono_ms) / 1000).toFixed(1)}s`);
    expect(line).toContain(`RSS cached ${cached} exact ${exact} drift +${exact - cached} pages`);
    // the VmRSS bound: 3 counters × 4 CPUs × (batch 32 − 1)
    expect(line).toContain("of bound 372)");
    // CPU 0 holds a negative slot after the free on another CPU
    const cpu0 = c.file.residue[0]!.pages + c.anon.residue[0]!.pages + c.shmem.residue[0]!.pages;
    expect(cpu0).toBeLessThan(0);
    expect(line).toContain(`cpu0 ${cpu0}`);
    expect(line).toMatch(/\| statm=exact status=exact stat=cached$/);
  });

  it("has a header line naming the kernel, era, CPUs, batch, page size and target", () => {
    expect(compactHeader(hello, "replay of lab-6.12-4cpu.jsonl")).toBe(
      "# rssdrift: replay of lab-6.12-4cpu.jsonl · kernel 6.12.107+deb13-cloud-amd64 · drgn 0.0.31 · era percpu · " +
        "4 of 4 CPUs online · batch 32 · page size 4 KiB · pid 689 (step-target) · every 500 ms",
    );
  });

  it("shows a hostile comm, release, drgn version and file name as escapes", () => {
    const hostile: HelloLine = { ...hello, kernel: HOSTILE.kernel, drgn: "1\u009b2J", target: { ...hello.target, comm: HOSTILE.comm } };
    const header = compactHeader(hostile, "replay of a\nb.jsonl");
    expectNoRawControls(header, "header");
    expect(header).toContain(`replay of a\\nb.jsonl · kernel ${HOSTILE.shownKernel} · drgn 1\\x9b2J ·`);
    expect(header).toContain(`(${HOSTILE.shownComm})`);
  });
});
