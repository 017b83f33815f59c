// The plain-English sentences about this sample (src/vocabulary/explanation.ts), for explaining
// it to a teammate. Whole sentences only, as many as fit in the lines left on the terminal.
import { Box, Text } from "ink";
import { useTheme } from "../theme.js";
import { SectionTitle } from "./Cells.js";

/**
 * Lines a text takes when Ink word-wraps it at `width` columns. Ink keeps the space before a
 * wrapped word: at the end of the full line if it fits there, else at the start of the new one.
 */
export function wrappedLines(text: string, width: number): number {
  let lines = 1;
  let column = 0;
  for (const word of text.split(" ")) {
    const length = [...word].length;
    if (column > 0 && column + 1 + length > width) {
      const spaceMoves = column === width;
      lines += 1 + Math.floor(((spaceMoves ? 1 : 0) + length) / width);
      column = ((spaceMoves ? 1 : 0) + length) % width;
    } else {
      column += (column > 0 ? 1 : 0) + length;
    }
  }
  return lines;
}

/** heights it can be drawn at: the title and the first sentence, the first two, … (whole sentences) */
export function explanationHeights(sentences: readonly string[], width: number): number[] {
  const heights: number[] = [];
  let used = 1; // the title
  for (const sentence of sentences) {
    used += wrappedLines(sentence, width);
    heights.push(used);
  }
  return heights;
}

export function Explanation({ sentences, width, height }: { sentences: readonly string[]; width: number; height: number }) {
  const theme = useTheme();
  const fits = explanationHeights(sentences, width).filter((h) => h <= height).length;
  if (fits === 0) return null;
  const shown = sentences.slice(0, fits);
  // clipped to the estimate: should Ink wrap one line more than estimated, the frame still fits
  return (
    <Box flexDirection="column" height={height} overflowY="hidden">
      <SectionTitle
        title="What this means"
        meaning={shown.length < sentences.length ? `${sentences.length - shown.length} more in a snapshot (s)` : undefined}
        color={theme.accent}
      />
      {shown.map((sentence, i) => (
        <Text key={i}>{sentence}</Text>
      ))}
    </Box>
  );
}
