// The four mm counters side by side: what get_mm_counter() returns (cached) against the
// exact sum, and the drift between them in pages, bytes and as a share of the bound.
import { Box, Text } from "ink";
import type { Analysis } from "../../analysis/types.js";
import { ESTIMATE_SEES, NO_ESTIMATE } from "../../vocabulary/backends.js";
import { cachedMeaning, DRIFT_MEANING, exactMeaning, meaningSource, meaningWords } from "../../vocabulary/counters.js";
import { formatPercent, formatSignedBytes, formatSignedPages } from "../format.js";
import { useTheme } from "../theme.js";
import { CellRow, SectionTitle, type Cell } from "./Cells.js";

interface Row {
  name: string;
  kernelName: string;
  cached: number;
  exact: number;
  driftPages: number;
  driftBytes: number;
  fractionOfBound: number | null;
}

/** what cached and exact are here: in full where it fits; else cached's source and what exact sums */
function meaningOfColumns(analysis: Analysis, width: number): string {
  if (analysis.estimate) return `estimate: ${ESTIMATE_SEES}`;
  const cached = cachedMeaning(analysis);
  const exact = exactMeaning(analysis);
  const full = `${meaningWords(cached)} · ${meaningWords(exact)}`;
  if (full.length <= width || analysis.era === "none") return full;
  return `${meaningSource(cached)} · ${exact.term} ${exact.sign} ${exact.what ?? exact.source}`;
}

/**
 * Heights it can be drawn at: the RSS line alone; the table (title, head, a row per counter and
 * RSS); the table and the line saying what the columns mean.
 */
export function counterTableHeights(analysis: Analysis): number[] {
  const rows = (analysis.counters?.length ?? 0) + 1;
  return [1, 2 + rows, 3 + rows];
}

/** the one-line form: the RSS row with its labels */
function RssLine({ analysis }: { analysis: Analysis }) {
  const theme = useTheme();
  const { rss } = analysis;
  if (rss === null) {
    return (
      <Text wrap="truncate-end">
        <Text bold color={theme.accent}>
          RSS (estimate)
        </Text>
        <Text color={theme.warn}>{` ${NO_ESTIMATE}`}</Text>
      </Text>
    );
  }
  return (
    <Text wrap="truncate-end">
      <Text bold color={theme.accent}>
        {analysis.estimate ? "RSS (estimate)" : "RSS"}
      </Text>
      {" cached "}
      <Text color={theme.cached}>{rss.cached}</Text>
      {" exact "}
      <Text color={theme.exact}>{rss.exact}</Text>
      {" drift "}
      <Text bold color={rss.driftPages !== 0 ? theme.drift : undefined}>
        {formatSignedPages(rss.driftPages)}
      </Text>
      {` pages (${formatSignedBytes(rss.driftBytes)}, ${formatPercent(rss.fractionOfBound)} of bound)`}
    </Text>
  );
}

export function CounterTable({ analysis, width, height }: { analysis: Analysis; width: number; height: number }) {
  const theme = useTheme();
  const [, table, withLegend] = counterTableHeights(analysis);
  if (height < table!) return <RssLine analysis={analysis} />;
  const wide = width >= 90;
  const withBound = width >= 72;
  const rows: Row[] = (analysis.counters ?? []).map((c) => ({ ...c, name: c.name }));
  if (analysis.rss) rows.push({ name: "RSS", kernelName: "file+anon+shmem", ...analysis.rss });
  const cells = (row: Row, head = false): Cell[] => {
    const drifting = !head && row.driftPages !== 0;
    const cellsOfRow: Cell[] = [
      { text: row.name, width: 6, bold: head || row.name === "RSS" },
      ...(wide ? [{ text: row.kernelName, width: 15, dim: !head }] : []),
      { text: head ? "cached" : String(row.cached), width: 10, align: "right", color: theme.cached, bold: head },
      { text: head ? "exact" : String(row.exact), width: 10, align: "right", color: theme.exact, bold: head },
      {
        text: head ? "drift" : formatSignedPages(row.driftPages),
        width: 8,
        align: "right",
        color: drifting ? theme.drift : undefined,
        bold: head || drifting,
      },
      {
        text: head ? "bytes" : formatSignedBytes(row.driftBytes),
        width: 10,
        align: "right",
        color: drifting ? theme.drift : undefined,
        bold: head,
      },
    ];
    if (withBound) cellsOfRow.push({ text: head ? "of bound" : formatPercent(row.fractionOfBound), width: 8, align: "right", bold: head });
    return cellsOfRow;
  };
  const head: Row = { name: "", kernelName: "kernel name", cached: 0, exact: 0, driftPages: 0, driftBytes: 0, fractionOfBound: null };
  return (
    <Box flexDirection="column">
      <SectionTitle
        title={analysis.estimate ? "Counters (pages, estimated from /proc)" : "Counters (pages)"}
        meaning={analysis.estimate ? `${meaningSource(cachedMeaning(analysis))} · ${meaningSource(exactMeaning(analysis))}` : DRIFT_MEANING}
        color={theme.accent}
      />
      <CellRow cells={cells(head, true)} />
      {rows.map((row) => (
        <CellRow key={row.name} cells={cells(row)} />
      ))}
      {analysis.rss === null ? <Text color={theme.warn} wrap="truncate-end">{`RSS    ${NO_ESTIMATE}`}</Text> : null}
      {height >= withLegend! ? (
        <Text dimColor wrap="truncate-end">
          {meaningOfColumns(analysis, width)}
        </Text>
      ) : null}
    </Box>
  );
}
