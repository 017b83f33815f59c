// How the drift compares with the worst case for this machine: observed / bound, per counter
// (online CPUs × (batch − 1) in the percpu era) for the counter nearest its bound, and for VmRSS,
// which sums three counters.
import { Box, Text } from "ink";
import type { Analysis, RssDrift } from "../../analysis/types.js";
import { NO_ESTIMATE } from "../../vocabulary/backends.js";
import { boundFormula } from "../../vocabulary/bound.js";
import { formatBytes, formatPercent } from "../format.js";
import { gauge } from "../glyphs.js";
import { useTheme } from "../theme.js";
import { CellRow, SectionTitle } from "./Cells.js";

interface GaugeRow {
  name: string;
  driftPages: number;
  boundPages: number;
  fraction: number;
  meaning: string;
}

/** one line (RSS against its bound, on the title line), or the title and a gauge per row */
export function boundGaugeHeights(analysis: Analysis): number[] {
  if (analysis.rss === null || analysis.rss.fractionOfBound === null) return [1];
  return [1, 1 + gaugeRows(analysis, analysis.rss).length];
}

function gaugeRows(analysis: Analysis, rss: RssDrift): GaugeRow[] {
  const { bound } = analysis;
  const rows: GaugeRow[] = [];
  const nearest = (analysis.counters ?? [])
    .filter((c) => c.fractionOfBound !== null)
    .sort((a, b) => (b.fractionOfBound ?? 0) - (a.fractionOfBound ?? 0))[0];
  if (nearest && nearest.fractionOfBound !== null) {
    rows.push({
      name: nearest.name,
      driftPages: nearest.driftPages,
      boundPages: bound.pagesPerCounter,
      fraction: nearest.fractionOfBound,
      meaning: "the counter nearest its bound",
    });
  }
  rows.push({
    name: "RSS",
    driftPages: rss.driftPages,
    boundPages: bound.pagesForRss,
    fraction: rss.fractionOfBound ?? 0,
    meaning: bound.pagesForRss === bound.pagesPerCounter ? "file+anon+shmem" : "file+anon+shmem: three counters' worth",
  });
  return rows;
}

export function BoundGauge({ analysis, width, height }: { analysis: Analysis; width: number; height: number }) {
  const theme = useTheme();
  const { bound, rss } = analysis;
  const formula = boundFormula(bound);
  if (rss === null) return <SectionTitle title="Drift vs bound" meaning={NO_ESTIMATE} color={theme.accent} />;
  if (rss.fractionOfBound === null) {
    return <SectionTitle title="Drift vs bound" meaning={`no bound: ${formula}`} color={theme.accent} />;
  }
  const wide = width >= 90;
  const rows = gaugeRows(analysis, rss);
  if (height < 1 + rows.length) {
    const rssRow = rows.at(-1)!;
    const cells = Math.max(10, Math.min(20, width - 60));
    return (
      <Text wrap="truncate-end">
        <Text bold color={theme.accent}>
          Drift vs bound
        </Text>
        {"  RSS "}
        <Text color={rssRow.fraction >= 0.75 ? theme.warn : theme.drift}>{gauge(rssRow.fraction, cells)}</Text>
        <Text bold>{` ${formatPercent(rssRow.fraction)}`}</Text>
        {` ${Math.abs(rssRow.driftPages)} of ${rssRow.boundPages} pages (${formula} per counter)`}
      </Text>
    );
  }
  const cells = Math.max(10, Math.min(30, width - (wide ? 75 : 37)));
  return (
    <Box flexDirection="column">
      <SectionTitle
        title="Drift vs bound"
        meaning={`${wide ? "worst case " : ""}per counter = ${formula} = ${bound.pagesPerCounter} pages${wide ? ` (${formatBytes(bound.pagesPerCounter * analysis.pageSize)})` : ""}`}
        color={theme.accent}
      />
      {rows.map((row) => (
        <CellRow
          key={row.name}
          cells={[
            { text: row.name, width: 6, bold: true },
            { text: gauge(row.fraction, cells), width: cells, color: row.fraction >= 0.75 ? theme.warn : theme.drift },
            { text: formatPercent(row.fraction), width: 5, align: "right", bold: true },
            { text: `${Math.abs(row.driftPages)} of ${row.boundPages} pages`, width: 22 },
            ...(wide ? [{ text: row.meaning, width: 36, dim: true }] : []),
          ]}
        />
      ))}
    </Box>
  );
}
