// One fact, one wording: every renderer that shows a fact shows the vocabulary's words for it, so
// the same sample reads the same in the report, the Markdown, the live view, the compact line
// and fleet's table. A renderer that words a fact its own way again fails here.
import { Box } from "ink";
import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { handMadeHello, handMadeSample } from "../../test/fixtures/hand-made-samples.js";
import { lab61Hello, lab61Sample } from "../../test/fixtures/lab-samples.js";
import { procfsLines } from "../../test/fixtures/scenario-samples.js";
import { analyse } from "../analysis/analyse.js";
import type { AnalysedSample } from "../analysis/types.js";
import { renderFleetTable } from "../commands/fleet.js";
import { renderMarkdown } from "../report/markdown.js";
import { renderText } from "../report/text.js";
import type { HelloLine, SampleLine } from "../schema/helper-line.js";
import { compactHeader, compactLine } from "../ui/compact-line.js";
import { BoundGauge } from "../ui/components/BoundGauge.js";
import { CounterTable } from "../ui/components/CounterTable.js";
import { EraLine, HeaderTitle, MachineLine } from "../ui/components/Header.js";
import { backendName, NO_ESTIMATE } from "./backends.js";
import { EVERY_N_FAULTS } from "./bound.js";
import { eraDescription } from "./era.js";
import { explain } from "./explanation.js";
import { machineLine } from "./machine.js";

const analysed = (hello: HelloLine, sample: SampleLine): AnalysedSample => ({ hello, sample, analysis: analyse(hello, sample) });
/** paragraphs wrap: compare words, not line breaks */
const flat = (text: string) => text.replace(/\s+/g, " ");
const frame = (node: React.ReactElement) => {
  const app = render(node);
  const text = app.lastFrame() ?? "";
  app.unmount();
  return text;
};

describe("one wording per fact", () => {
  const hello = handMadeHello({ era_source: "version" });
  const sample = handMadeSample(0, undefined, hello);
  const text = flat(renderText(sample, { color: false }));
  const markdown = flat(renderMarkdown(sample, { command: "rssdrift 4242 --markdown" }));
  const tui = [<HeaderTitle hello={hello} origin="this machine" />, <EraLine hello={hello} />, <MachineLine hello={hello} />]
    .map(frame)
    .join("\n");

  it("says the CPUs, the batch and the page size the same way everywhere", () => {
    const words = machineLine(hello);
    expect(words).toBe("4 of 8 CPUs online · batch 32 · page size 4 KiB");
    for (const shown of [text, markdown, tui, compactHeader(hello, "this machine")]) expect(shown).toContain(words);
  });

  it("says the era and how it was found the same way everywhere", () => {
    const words = eraDescription(hello.era, hello.era_source);
    expect(words).toBe("per-CPU counters (v6.2+), guessed from the kernel release");
    for (const shown of [text, markdown, tui]) expect(shown).toContain(`era percpu: ${words}`);
  });

  it("names the backend the same way everywhere", () => {
    const bpf = handMadeHello({ backend: "bpf", drgn: null, bpf: { per_cpu_offsets: "runqueues", insns: 400, btf_ms: 80, load_ms: 3 } });
    const name = backendName(bpf);
    expect(name).toBe("bpf (BTF, per-CPU offsets derived from the runqueues)");
    const shown = [
      flat(renderText(handMadeSample(0, undefined, bpf), { color: false })),
      renderMarkdown(handMadeSample(0, undefined, bpf), { command: "x" }),
      compactHeader(bpf, "this machine"),
      // the title is cut at the terminal's edge: drawn here in 140 columns
      frame(
        <Box width={140}>
          <HeaderTitle hello={bpf} origin="here" />
        </Box>,
      ),
    ];
    for (const output of shown) expect(output).toContain(name);
  });

  it("says 'no estimate' the same way everywhere", () => {
    const lines = procfsLines({ cpus: 2, kernel: "6.8.0", era: "percpu", statResident: 1000, statmResident: 1000, smapsRssKb: 7600 });
    const torn = analysed(lines.hello, { ...lines.sample, unstable: true });
    const shown = [
      flat(renderText(torn, { color: false })),
      flat(renderMarkdown(torn, { command: "x" })),
      compactLine(torn, 0),
      renderFleetTable([{ host: "a", ok: true, pid: 1, sample: torn }]),
      frame(<CounterTable analysis={torn.analysis} width={120} height={1} />),
      frame(<BoundGauge analysis={torn.analysis} width={120} height={1} />),
      explain(torn.analysis, torn.hello).join(" "),
    ];
    for (const output of shown) expect(output.toLowerCase()).toContain(NO_ESTIMATE);
  });

  it("derives every 'every N page faults' from the kernel's constant", () => {
    const split = analysed(lab61Hello, lab61Sample);
    const text = flat(renderText(split, { color: false }));
    // the bound, the residue's meaning and the explanation each say it, in the same words
    expect(text.split(EVERY_N_FAULTS).length - 1).toBe(3);
    expect(flat(renderMarkdown(split, { command: "x" }))).toContain(EVERY_N_FAULTS);
    expect(text).not.toMatch(/64th|every 64 faults/);
  });
});
