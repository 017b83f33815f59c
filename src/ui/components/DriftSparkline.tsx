// The drift of VmRSS over the last samples, one cell each, with the user's marks above it.
// A step up is an allocation whose pages parked in a slot; a drop is a slot flushing.
import { Box, Text } from "ink";
import { clockTime, formatSignedPages } from "../format.js";
import { sparkline } from "../glyphs.js";
import type { DriftPoint, Mark } from "../stream-types.js";
import { useTheme } from "../theme.js";
import { SectionTitle } from "./Cells.js";

/** the mark numbers placed above the samples they mark; marks out of the window are left out */
export function markRow(points: readonly DriftPoint[], marks: readonly Mark[]): string {
  const cells = Array.from({ length: points.length }, () => " ");
  const column = new Map(points.map((p, i) => [p.seq, i]));
  for (const mark of marks) {
    const at = column.get(mark.seq);
    if (at === undefined) continue;
    [...String(mark.number)].forEach((digit, k) => {
      if (at + k < cells.length) cells[at + k] = digit;
    });
  }
  return cells.join("");
}

/** one line (the sparkline and its numbers), with the title, and with the marks above and below */
export function driftSparklineHeights(marks: readonly Mark[]): number[] {
  return marks.length > 0 ? [1, 2, 4] : [1, 2];
}

/**
 * The numbers first, the sparkline in the columns they leave: "now +41 · min +14 · max +73 pages"
 * is never cut, whatever the width (a long sparkline used to push "max" off the edge).
 */
export function sparklineRow(drifts: readonly number[], width: number): { cells: number; stats: string } {
  const now = drifts.at(-1) ?? 0;
  const numbers = [now, Math.min(...drifts), Math.max(...drifts)].map(formatSignedPages);
  const long = `now ${numbers[0]} · min ${numbers[1]} · max ${numbers[2]} pages`;
  const short = `now ${numbers[0]} min ${numbers[1]} max ${numbers[2]}`;
  const stats = width - long.length - 2 >= 10 ? long : short;
  return { cells: Math.max(0, width - stats.length - 2), stats };
}

export function DriftSparkline({ history, marks, width, height }: { history: DriftPoint[]; marks: Mark[]; width: number; height: number }) {
  const theme = useTheme();
  if (history.length === 0) return <Text dimColor>drift history: waiting for samples</Text>;
  // the numbers are those of the samples drawn: sized on the whole history, then on the window
  const first = sparklineRow(
    history.map((p) => p.driftPages),
    width,
  );
  const window = (cells: number) => (cells > 0 ? history.slice(-cells) : []);
  const { cells, stats } = sparklineRow(
    window(first.cells).map((p) => p.driftPages),
    width,
  );
  const points = window(Math.min(cells, first.cells));
  const drifts = points.map((p) => p.driftPages);
  const line = (
    <Text wrap="truncate-end">
      <Text color={theme.drift}>{sparkline(drifts)}</Text>
      {`  ${stats}`}
    </Text>
  );
  if (height < 2) return line;
  const withMarks = marks.length > 0 && height >= 4;
  return (
    <Box flexDirection="column">
      <SectionTitle
        title="Drift history"
        meaning={`last ${points.length} sample${points.length === 1 ? "" : "s"}; ${width >= 90 ? "a step up is an allocation parked in a slot, a drop a flush" : "step up: allocation, drop: flush"}`}
        color={theme.accent}
      />
      {withMarks ? <Text color={theme.warn}>{markRow(points, marks)}</Text> : null}
      {line}
      {withMarks ? (
        <Text dimColor wrap="truncate-end">
          {"marks: " +
            marks
              .slice(-6)
              .map((m) => `#${m.number} ${clockTime(m.at)} sample ${m.seq} drift ${formatSignedPages(m.driftPages)}`)
              .join(" · ") +
            (marks.length > 6 ? ` (${marks.length - 6} earlier)` : "")}
        </Text>
      ) : null}
    </Box>
  );
}
