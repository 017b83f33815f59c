// Where a frame of the live view spends its CPU, in one process: the App drawing one sample of
// the lab recording per frame into a fake terminal of COLUMNS × ROWS, against Ink drawing a
// plain text frame of the same size (every line full, one style): the floor any Ink view of
// that size pays per frame (layout, the cell grid, the ANSI diff, the write).
//
//   npm run build && node dist/scripts/bench/tui-frame.js [--frames 200] [--columns 100] [--rows 40]
import { readFileSync } from "node:fs";
import { Readable, Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import type { HelperLine } from "../../src/schema/helper-line.js";
import type { SampleSource } from "../../src/sources/sample-source.js";

// React picks its build when first loaded: the production one, as `rssdrift watch` runs it
process.env.NODE_ENV ??= "production";
// no JSX in this file: its runtime import would load React before the line above
const { createElement } = await import("react");
const { render, Text } = await import("ink");
const { analyse } = await import("../../src/analysis/analyse.js");
const { parseHelperLine } = await import("../../src/schema/validate-line.js");
const { App } = await import("../../src/ui/App.js");

const { values } = parseArgs({
  options: {
    frames: { type: "string", default: "200" },
    columns: { type: "string", default: "100" },
    rows: { type: "string", default: "40" },
  },
});
const FRAMES = Number(values.frames);
const COLUMNS = Number(values.columns);
const ROWS = Number(values.rows);
const RECORDING = fileURLToPath(new URL("../../../test/fixtures/lab-6.12-4cpu.jsonl", import.meta.url));

let written = 0;
function fakeTerminal(): { stdout: NodeJS.WriteStream; stdin: NodeJS.ReadStream } {
  const stdout = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      written += chunk.length;
      done();
    },
  });
  Object.assign(stdout, { isTTY: true, columns: COLUMNS, rows: ROWS });
  const stdin = new Readable({ read() {} });
  Object.assign(stdin, { isTTY: true, setRawMode: () => stdin, ref: () => stdin, unref: () => stdin });
  return { stdout: stdout as unknown as NodeJS.WriteStream, stdin: stdin as unknown as NodeJS.ReadStream };
}

/** a source the bench pushes lines into, one per frame */
function pushedSource(): { source: SampleSource; push(line: HelperLine): void } {
  const queue: HelperLine[] = [];
  let waiting: ((result: IteratorResult<HelperLine>) => void) | null = null;
  const source = {
    origin: "replay of lab-6.12-4cpu.jsonl",
    [Symbol.asyncIterator]: () => ({
      next: () =>
        new Promise<IteratorResult<HelperLine>>((resolve) => {
          if (queue.length > 0) resolve({ value: queue.shift()!, done: false });
          else waiting = resolve;
        }),
    }),
    close: async () => {},
    sampleNow: () => {},
    setInterval: () => {},
    setPaused: () => {},
  } as unknown as SampleSource;
  const push = (line: HelperLine) => {
    if (waiting) {
      const resolve = waiting;
      waiting = null;
      resolve({ value: line, done: false });
    } else queue.push(line);
  };
  return { source, push };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 40)); // past Ink's 33 ms throttle

/** CPU milliseconds per frame over FRAMES frames, after 10 to warm up */
async function perFrame(draw: (frame: number) => void): Promise<number> {
  for (let i = 0; i < 10; i++) {
    draw(i);
    await settle();
  }
  const start = process.cpuUsage();
  for (let i = 0; i < FRAMES; i++) {
    draw(10 + i);
    await settle();
  }
  const used = process.cpuUsage(start);
  if (written === 0) throw new Error("nothing was drawn");
  written = 0;
  return (used.user + used.system) / 1000 / FRAMES;
}

const lines = readFileSync(RECORDING, "utf8")
  .trim()
  .split("\n")
  .map((line) => parseHelperLine(line));
const samples = lines.filter((line) => line.type === "sample");

const app = pushedSource();
const { ThemeProvider, themeFor } = await import("../../src/ui/theme.js");
const { decideOutput } = await import("../../src/output/output-policy.js");
// the fake terminal is a terminal: colour unless NO_COLOR says otherwise, as for the real view
const color = decideOutput({ isTTY: true }, process.env, false).color;
const appElement = createElement(ThemeProvider, {
  theme: themeFor(color),
  children: createElement(App, { open: async () => app.source, analyse, saveSnapshot: async () => [], onDone: () => {}, mode: "replay" }),
});
const view = render(appElement, { ...fakeTerminal(), patchConsole: false, exitOnCtrlC: false });
for (const line of lines.filter((line) => line.type !== "sample")) app.push(line);
const appMs = await perFrame((i) => app.push({ ...samples[i % samples.length]!, seq: i }));
view.unmount();

const plainFrame = (i: number) =>
  createElement(Text, null, Array.from({ length: ROWS - 1 }, (_, row) => `${i} ${row} `.padEnd(COLUMNS - 1, "x")).join("\n"));
const plain = render(plainFrame(0), { ...fakeTerminal(), patchConsole: false });
const plainMs = await perFrame((i) => plain.rerender(plainFrame(i)));
plain.unmount();

console.log(
  `${COLUMNS}×${ROWS}, ${FRAMES} frames each, CPU per frame (load average ${readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" ")}):`,
);
console.log(
  `  the live view, one sample a frame   ${appMs.toFixed(1)} ms   at one sample every 500 ms: ${((appMs / 500) * 100).toFixed(1)}% of one core`,
);
console.log(`  Ink, a plain full frame             ${plainMs.toFixed(1)} ms   the view costs ${(appMs / plainMs).toFixed(2)}× this floor`);
process.exit(0);
