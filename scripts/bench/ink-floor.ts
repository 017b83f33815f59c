// What any Ink view of a terminal's size costs per frame, for tui-cpu to run in a pane beside the
// live view: one plain Text filling the frame (rows − 1 lines, every column but the last, one
// style), redrawn with new text every --interval ms. The live view's frame has the same number
// of cells; what it costs above this is the view's own (React, its sections, styles, analysis).
//
//   node dist/scripts/bench/ink-floor.js [--interval 500]      (in a terminal; ends on a signal)
import { parseArgs } from "node:util";

// React picks its build when first loaded: the production one, as `rssdrift watch` runs it
process.env.NODE_ENV ??= "production";
// no JSX in this file: its runtime import would load React before the line above
const { createElement } = await import("react");
const { render, Text } = await import("ink");

const { values } = parseArgs({ options: { interval: { type: "string", default: "500" } } });
const columns = process.stdout.columns || 80;
const rows = process.stdout.rows || 24;

const frame = (n: number) =>
  createElement(Text, null, Array.from({ length: rows - 1 }, (_, row) => `${n} ${row} `.padEnd(columns - 1, "x")).join("\n"));
const view = render(frame(0), { patchConsole: false });
let n = 0;
setInterval(() => view.rerender(frame(++n)), Number(values.interval));
