// A row of fixed-width cells: the tables of the live view line up without a layout pass.
import { Box, Text } from "ink";
import { memo } from "react";
import { sameContent } from "../same-content.js";

export interface Cell {
  text: string;
  width: number;
  align?: "left" | "right";
  color?: string;
  bold?: boolean;
  dim?: boolean;
}

function fit(cell: Cell): string {
  const text = cell.text.length > cell.width ? `${cell.text.slice(0, Math.max(0, cell.width - 1))}…` : cell.text;
  return cell.align === "right" ? text.padStart(cell.width) : text.padEnd(cell.width);
}

/**
 * cells separated by one space; the last one may be cut at the terminal's edge. Drawn again only
 * when its cells changed: most rows of a table are the same from one sample to the next.
 */
export const CellRow = memo(function CellRow({ cells }: { cells: Cell[] }) {
  return (
    <Box>
      <Text wrap="truncate-end">
        {cells.map((cell, i) => (
          <Text key={i} color={cell.color} bold={cell.bold} dimColor={cell.dim}>
            {(i > 0 ? " " : "") + fit(cell)}
          </Text>
        ))}
      </Text>
    </Box>
  );
}, sameContent);

/** a section title and what the section means, on one line: the meaning is cut at the edge */
export const SectionTitle = memo(function SectionTitle({ title, meaning, color }: { title: string; meaning?: string; color?: string }) {
  return (
    <Text wrap="truncate-end">
      <Text bold color={color}>
        {title}
      </Text>
      {meaning ? <Text dimColor>{`  ${meaning}`}</Text> : null}
    </Text>
  );
}, sameContent);
