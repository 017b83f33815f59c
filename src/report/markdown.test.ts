import { describe, expect, it } from "vitest";
import { manyCpuLines, manyCpuPages } from "../../test/fixtures/many-cpus.js";
import { lab612Hello, lab612Sample, lab61Hello, lab61Sample } from "../../test/fixtures/lab-samples.js";
import { HOSTILE, expectNoRawControls } from "../../test/fixtures/hostile-strings.js";
import { procfsLines } from "../../test/fixtures/scenario-samples.js";
import { analyse } from "../analysis/analyse.js";
import { renderMarkdown } from "./markdown.js";

describe("renderMarkdown", () => {
  const md = renderMarkdown(
    { hello: lab612Hello, sample: lab612Sample, analysis: analyse(lab612Hello, lab612Sample) },
    { command: "rssdrift 436 --markdown" },
  );

  it("has a heading and the counters table", () => {
    expect(md.startsWith("## rssdrift: pid 436 (python3)\n")).toBe(true);
    expect(md).toContain(
      "| counter | kernel name | cached | exact | drift | in bytes | of bound |\n| --- | --- | ---: | ---: | ---: | ---: | ---: |",
    );
    expect(md).toContain("| anon | `MM_ANONPAGES` | 4832 | 4874 | +42 | +168 KiB | 34% |");
    expect(md).toContain("| **RSS** | **file + anon + shmem** | **12228** | **12444** | **+216** | **+864 KiB** | **58%** |");
  });

  it("has the residue and who-sees-what tables", () => {
    expect(md).toContain("| CPU | pages | bytes | file | anon | shmem | of batch |");
    expect(md).toContain("| 3 | +48 | +192 KiB | +29 | -11 | +30 | 97% |");
    expect(md).toContain("| reader | pages | tracks | read by |");
    expect(md).toContain("| /proc/PID/stat field 24 (rss) | 12228 | tracks cached |");
  });

  it("ends with the explanation and the command in a code block", () => {
    expect(md).toContain("### What it means");
    expect(md).toMatch(/### Command\n\n```sh\nrssdrift 436 --markdown\n```\n$/);
  });

  it("every table row has as many cells as its header", () => {
    const tables = md.split("\n\n").filter((block) => block.startsWith("|"));
    expect(tables.length).toBe(3);
    for (const table of tables) {
      const counts = table.split("\n").map((row) => row.split(/(?<!\\)\|/).length);
      expect(new Set(counts).size).toBe(1);
    }
  });

  it("escapes a comm that would break the Markdown", () => {
    const hello = { ...lab61Hello, target: { ...lab61Hello.target, comm: "a|b_*c" } };
    const out = renderMarkdown(
      { hello, sample: lab61Sample, analysis: analyse(hello, lab61Sample) },
      { command: "rssdrift 368 --markdown" },
    );
    expect(out).toContain("(a\\|b\\_\\*c)");
    expect(out).toContain("| thread | pages | bytes | file | anon | shmem |");
  });

  it("keeps a command with backticks inside its fence", () => {
    const out = renderMarkdown(
      { hello: lab612Hello, sample: lab612Sample, analysis: analyse(lab612Hello, lab612Sample) },
      { command: "rssdrift `pgrep java`" },
    );
    expect(out).toContain("```sh\nrssdrift `pgrep java`\n```");
  });

  it("shows no number for an unstable estimate", () => {
    const { hello, sample } = procfsLines({
      cpus: 8,
      kernel: "6.8.0",
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 7600,
    });
    const torn = { ...sample, unstable: true };
    const out = renderMarkdown({ hello, sample: torn, analysis: analyse(hello, torn) }, { command: "rssdrift 777 --backend procfs" });
    expect(out).toContain("The process changed while it was read; no estimate");
    expect(out).not.toContain("+900");
  });

  it("labels an estimate", () => {
    const { hello, sample } = procfsLines({
      cpus: 8,
      kernel: "6.8.0",
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 4128,
    });
    const out = renderMarkdown(
      { hello, sample, analysis: analyse(hello, sample) },
      { command: "rssdrift 777 --backend procfs --smaps --markdown" },
    );
    expect(out).toContain("## rssdrift estimate: pid 777 (java)");
    expect(out).toContain("> **Estimate:**");
    for (const heading of ["RSS, in pages", "Where the drift sits", "Who sees what", "What it means"])
      expect(out).toContain(`### ${heading} (estimate)`);
  });

  it("shows a hostile comm and kernel release as escapes that stay text, not markup", () => {
    const lines = procfsLines({
      cpus: 4,
      kernel: HOSTILE.kernel,
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 4128,
    });
    const hello = { ...lines.hello, target: { ...lines.hello.target, comm: "<img src=x>|&#8238;" } };
    const out = renderMarkdown(
      { hello, sample: lines.sample, analysis: analyse(hello, lines.sample) },
      { command: "rssdrift 777 --markdown" },
    );
    expectNoRawControls(out, "markdown");
    expect(out).toContain("(\\<img src=x\\>\\|\\&\\#8238;)");
    // the release sits in one code span, fenced past its backtick
    expect(out).toContain(`Kernel \`\`${HOSTILE.shownKernel}\`\` ·`);
    // in prose (the explanation) its backslashes, backtick, bar and bracket are escaped
    expect(out).toContain("6.8.0\\\\e\\[2J\\\\u202e\\`\\|\\<b\\>\\\\x07");
    const withComm = { ...hello, target: { ...hello.target, comm: HOSTILE.comm } };
    const titled = renderMarkdown({ hello: withComm, sample: lines.sample, analysis: analyse(withComm, lines.sample) }, { command: "x" });
    expectNoRawControls(titled, "markdown");
    expect(titled).toContain("(\\\\e\\]0;PWNED\\\\x07\\\\n\\\\u202e)");
  });

  it("lists each backend auto skipped, with why and the fix, above the estimate note", () => {
    const { hello, sample } = procfsLines({
      cpus: 8,
      kernel: "6.8.0",
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 4128,
    });
    const backend = {
      requested: "auto" as const,
      used: "procfs" as const,
      skipped: [
        {
          backend: "bpf" as const,
          code: "bpf-refused",
          reason: "bpf() refused: EPERM",
          hint: "run as root, or grant CAP_BPF and CAP_PERFMON",
        },
        { backend: "drgn" as const, code: "no-kcore", reason: "/proc/kcore is missing", hint: null },
      ],
    };
    const out = renderMarkdown({ hello, sample, analysis: analyse(hello, sample), backend }, { command: "rssdrift 777 --markdown" });
    expect(out).toContain(
      "- bpf not used (bpf-refused): bpf() refused: EPERM; fix: run as root, or grant CAP\\_BPF and CAP\\_PERFMON\n- drgn not used (no-kcore): /proc/kcore is missing\n",
    );
    expect(out.indexOf("- drgn not used")).toBeLessThan(out.indexOf("> **Estimate:** read from /proc alone"));
    expect(out).toContain("bpf and drgn could not run here");
  });
});

describe("renderMarkdown on 64 000 CPUs", () => {
  it("has one residue row per slot that holds pages, each with its own counters' pages", () => {
    const cpus = 64_000;
    const { hello, sample } = manyCpuLines(cpus);
    const out = renderMarkdown({ hello, sample, analysis: analyse(hello, sample) }, { command: "rssdrift 1 --markdown" });
    const rows = out.split("\n").filter((line) => /^\| \d+ \| [+-]\d+ \|/.test(line));
    const holding = Array.from({ length: cpus }, (_, cpu) => cpu).filter(
      (cpu) => manyCpuPages.file(cpu) + manyCpuPages.anon(cpu) + manyCpuPages.shmem(cpu) !== 0,
    );
    expect(rows).toHaveLength(holding.length);
    const signed = (n: number) => (n > 0 ? `+${n}` : n === 0 ? "" : String(n)); // a counter with nothing in the slot: an empty cell
    for (const cpu of [holding[0]!, 31_337, 63_999]) {
      const row = rows.find((line) => line.startsWith(`| ${cpu} |`));
      const [file, anon, shmem] = [manyCpuPages.file(cpu), manyCpuPages.anon(cpu), manyCpuPages.shmem(cpu)];
      expect(row).toMatch(
        new RegExp(
          `^\\| ${cpu} \\| ${signed(file + anon + shmem).replace("+", "\\+")} \\| .+ \\| ${[file, anon, shmem].map((n) => signed(n).replace("+", "\\+")).join(" \\| ")} \\| \\d+% \\|$`,
        ),
      );
    }
  });
});
