// How the one-shot reports scale with the number of slots (CPUs): the Markdown and the text
// report of one sample at 8 000, 16 000, 32 000 and 64 000 CPUs, side by side in one run. Each
// size's time over the previous one's says whether a report is linear (×2 for twice the slots)
// or quadratic (×4). Samples are built directly (test/fixtures/many-cpus.ts), not recorded.
//
//   npm run build && node dist/scripts/bench/report-size.js [--repeat 5]
import { parseArgs } from "node:util";
import { analyse } from "../../src/analysis/analyse.js";
import { renderMarkdown } from "../../src/report/markdown.js";
import { renderText } from "../../src/report/text.js";
import { manyCpuLines } from "../../test/fixtures/many-cpus.js";

const { values } = parseArgs({ options: { repeat: { type: "string", default: "5" } } });
const repeat = Number(values.repeat);
const SIZES = [8_000, 16_000, 32_000, 64_000];

/** the best of `repeat` runs, in ms (the least disturbed by other work on the machine) */
function bestMs(render: () => string): number {
  let best = Infinity;
  for (let run = 0; run < repeat; run++) {
    const start = performance.now();
    render();
    best = Math.min(best, performance.now() - start);
  }
  return best;
}

console.log(`best of ${repeat} runs per cell; × is the time over the previous size's\n`);
console.log("CPUs      markdown ms      ×     text ms      ×   analyse ms");
let previous: { markdown: number; text: number } | null = null;
for (const cpus of SIZES) {
  const { hello, sample } = manyCpuLines(cpus);
  const analysis = analyse(hello, sample);
  const s = { hello, sample, analysis };
  const markdown = bestMs(() => renderMarkdown(s, { command: "rssdrift 1 --markdown" }));
  const text = bestMs(() => renderText(s, { color: false, width: 100 }));
  const analyseMs = bestMs(() => JSON.stringify(analyse(hello, sample)));
  const ratio = (now: number, before: number | undefined) => (before === undefined ? "" : `×${(now / before).toFixed(1)}`);
  console.log(
    [
      String(cpus).padEnd(6),
      markdown.toFixed(1).padStart(14),
      ratio(markdown, previous?.markdown).padStart(6),
      text.toFixed(1).padStart(11),
      ratio(text, previous?.text).padStart(6),
      analyseMs.toFixed(1).padStart(12),
    ].join(" "),
  );
  previous = { markdown, text };
}
