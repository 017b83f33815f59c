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

export function DriftSparkline({ history, marks, width }: { history: DriftPoint[]; marks: Mark[]; width: number }) {
  const theme = useTheme();
  const labels = 30;
  const points = history.slice(-Math.max(10, width - labels));
  const drifts = points.map((p) => p.driftPages);
  const now = drifts.at(-1) ?? 0;
  return (
    <Box flexDirection="column">
      <SectionTitle
        title="Drift history"
        meaning={`last ${points.length} sample${points.length === 1 ? "" : "s"}; ${width >= 90 ? "a step up is an allocation parked in a slot, a drop a flush" : "step up: allocation, drop: flush"}`}
        color={theme.accent}
        width={width}
      />
      {marks.length > 0 ? <Text color={theme.warn}>{markRow(points, marks)}</Text> : null}
      <Text wrap="truncate-end">
        <Text color={theme.drift}>{sparkline(drifts)}</Text>
        {points.length === 0
          ? "waiting for samples"
          : `  now ${formatSignedPages(now)} · min ${formatSignedPages(Math.min(...drifts))} · max ${formatSignedPages(Math.max(...drifts))} pages`}
      </Text>
      {marks.length > 0 ? (
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
