// Who sees what: for each /proc reader, whether its RSS figure matched the cached count or the
// exact sum in this sample (decided per sample, because stable backports blur the version line).
import { Box, Text } from "ink";
import type { Analysis, ReaderVerdict } from "../../analysis/types.js";
import { NO_ESTIMATE } from "../../vocabulary/backends.js";
import { READERS, SMAPS_NOT_READ, VERDICT_WORDS, verdictCell } from "../../vocabulary/readers.js";
import { useTheme, type Theme } from "../theme.js";
import { CellRow, SectionTitle } from "./Cells.js";

function verdictColor(verdict: ReaderVerdict["verdict"], theme: Theme): string | undefined {
  if (verdict === "cached") return theme.cached;
  if (verdict === "exact" || verdict === "page-walk") return theme.exact;
  if (verdict === "neither") return theme.error;
  return undefined;
}

/** one line (each reader and its verdict, on the title line), or the title and a row per reader */
export function readerVerdictsHeights(analysis: Analysis): number[] {
  if (analysis.rss === null) return [1];
  const hasSmaps = analysis.readers.some((r) => r.reader === "smaps_rollup");
  return [1, 1 + analysis.readers.length + (hasSmaps ? 0 : 1)];
}

export function ReaderVerdicts({
  analysis,
  smapsEnabled,
  width,
  height,
}: {
  analysis: Analysis;
  smapsEnabled: boolean;
  width: number;
  height: number;
}) {
  const theme = useTheme();
  const wide = width >= 90;
  const labelWidth = Math.max(16, Math.min(30, width - 30));
  const hasSmaps = analysis.readers.some((r) => r.reader === "smaps_rollup");
  // an unstable estimate matched no reader: one line says so
  if (analysis.rss === null) return <SectionTitle title="Who sees what" meaning={`not matched: ${NO_ESTIMATE}`} color={theme.accent} />;
  if (height < readerVerdictsHeights(analysis)[1]!) {
    return (
      <Text wrap="truncate-end">
        <Text bold color={theme.accent}>
          Who sees what
        </Text>
        {analysis.readers.map((reader) => (
          <Text key={reader.reader}>
            {`  ${reader.reader} `}
            <Text bold color={verdictColor(reader.verdict, theme)}>
              {VERDICT_WORDS[reader.verdict].short}
            </Text>
          </Text>
        ))}
      </Text>
    );
  }
  return (
    <Box flexDirection="column">
      <SectionTitle
        title="Who sees what"
        meaning={wide ? "which value each reader of RSS matched in this sample (pages)" : "value matched, pages"}
        color={theme.accent}
      />
      {analysis.readers.map((reader) => (
        <CellRow
          key={reader.reader}
          cells={[
            { text: READERS[reader.reader].label, width: labelWidth },
            { text: String(reader.pages), width: 8, align: "right" },
            { text: verdictCell(reader, analysis.era), width: 17, color: verdictColor(reader.verdict, theme), bold: true },
            ...(wide ? [{ text: READERS[reader.reader].usedBy, width: Math.max(10, width - labelWidth - 29), dim: true }] : []),
          ]}
        />
      ))}
      {!hasSmaps ? (
        <CellRow
          cells={[
            { text: READERS.smaps_rollup.label, width: labelWidth },
            { text: smapsEnabled ? "n/a" : "off", width: 8, align: "right", dim: true },
            { text: smapsEnabled ? "not read" : SMAPS_NOT_READ, width: Math.max(10, width - labelWidth - 10), dim: true },
          ]}
        />
      ) : null}
    </Box>
  );
}
