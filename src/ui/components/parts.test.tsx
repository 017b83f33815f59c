// The pure parts of components: where marks go, how long a wrapped sentence is, the colours.
import { readFileSync } from "node:fs";
import { Box, Text } from "ink";
import { render } from "ink-testing-library";
import { describe, expect, it } from "vitest";
import { analyse } from "../../analysis/analyse.js";
import type { HelloLine, SampleLine } from "../../schema/helper-line.js";
import { parseHelperLine } from "../../schema/validate-line.js";
import { NO_ESTIMATE } from "../../vocabulary/backends.js";
import { explain } from "../../vocabulary/explanation.js";
import { nextInterval } from "../App.js";
import { themeFor } from "../theme.js";
import { procfsLines } from "../../../test/fixtures/scenario-samples.js";
import { BoundGauge } from "./BoundGauge.js";
import { CounterTable } from "./CounterTable.js";
import { markRow } from "./DriftSparkline.js";
import { wrappedLines } from "./Explanation.js";
import { ReaderVerdicts } from "./ReaderVerdicts.js";

describe("markRow", () => {
  const points = [10, 11, 12, 13, 14].map((seq) => ({ seq, monoMs: seq * 500, driftPages: 0 }));
  const at = new Date(0);
  it("puts each mark's number above the sample it marks", () => {
    expect(
      markRow(points, [
        { number: 1, seq: 11, driftPages: 0, at },
        { number: 2, seq: 14, driftPages: 0, at },
      ]),
    ).toBe(" 1  2");
  });
  it("leaves out marks whose sample scrolled off, and cuts numbers at the edge", () => {
    expect(markRow(points, [{ number: 3, seq: 2, driftPages: 0, at }])).toBe("     ");
    expect(markRow(points, [{ number: 12, seq: 14, driftPages: 0, at }])).toBe("    1");
  });
});

describe("wrappedLines", () => {
  it("counts the lines Ink itself wraps a sentence into", () => {
    // the sentences of a real sample's explanation, rendered by Ink at three widths
    const lines = readFileSync(new URL("../../../test/fixtures/lab-6.12-4cpu.jsonl", import.meta.url), "utf8")
      .trim()
      .split("\n");
    const hello = parseHelperLine(lines[3]!) as HelloLine;
    const samples = [lines[4]!, lines[24]!, lines.at(-1)!].map((line) => parseHelperLine(line) as SampleLine);
    const sentences = samples.flatMap((sample) => explain(analyse(hello, sample), hello));
    expect(sentences.length).toBeGreaterThan(3);
    for (const width of [60, 73, 80, 100, 120]) {
      for (const sentence of sentences) {
        const app = render(
          <Box width={width}>
            <Text>{sentence}</Text>
          </Box>,
        );
        expect(wrappedLines(sentence, width)).toBe(app.lastFrame()!.split("\n").length);
        app.unmount();
      }
    }
  });
  it("breaks between words only", () => {
    expect(wrappedLines("aaaa bbbb", 9)).toBe(1);
    expect(wrappedLines("aaaa bbbb cccc", 9)).toBe(2);
  });
});

describe("nextInterval", () => {
  it("steps through 100, 250, 500, 1000 … ms and stops at the ends", () => {
    expect(nextInterval(500, "faster")).toBe(250);
    expect(nextInterval(500, "slower")).toBe(1000);
    expect(nextInterval(100, "faster")).toBe(100);
    expect(nextInterval(10000, "slower")).toBe(10000);
    // a replay at --speed 3 starts between steps
    expect(nextInterval(500 / 3, "faster")).toBe(100);
    expect(nextInterval(500 / 3, "slower")).toBe(250);
  });
});

describe("themeFor", () => {
  // when colour is on is the output policy's (NO_COLOR, --no-color): src/output/output-policy.test.ts
  it("has no colour at all when the output policy says none", () => {
    expect(Object.values(themeFor(false)).filter(Boolean)).toEqual([]);
    expect(themeFor(true).exact).toBeDefined();
    expect(themeFor(true).cached).toBeDefined();
  });
});

describe("an unstable procfs estimate in the live view", () => {
  it("shows 'no estimate' instead of the torn numbers", () => {
    const { hello, sample } = procfsLines({
      cpus: 2,
      kernel: "6.8.0",
      era: "percpu",
      statResident: 1000,
      statmResident: 1000,
      smapsRssKb: 7600,
    });
    const a = analyse(hello, { ...sample, unstable: true });
    // each at full height and squeezed to one line
    const parts = [40, 1].flatMap((height) => [
      <CounterTable analysis={a} width={100} height={height} />,
      <BoundGauge analysis={a} width={100} height={height} />,
      <ReaderVerdicts analysis={a} smapsEnabled width={100} height={height} />,
    ]);
    for (const part of parts) {
      const frame = render(part).lastFrame() ?? "";
      expect(frame).toContain(NO_ESTIMATE);
      expect(frame).not.toContain("+900");
      expect(frame).not.toContain("1900");
    }
  });
});
