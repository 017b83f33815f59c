// Where the drift sits: one bar per CPU (percpu era) or thread (split-rss era), negative slots
// to the left of the axis, positive to the right. For CPUs a full side is batch − 1 pages in one
// counter's slot, the most it can hold before it flushes into the shared count.
import { Box, Text } from "ink";
import type { Analysis, RankedSlot } from "../../analysis/types.js";
import type { HelloLine } from "../../schema/helper-line.js";
import { formatPercent, formatSignedBytes, formatSignedPages } from "../format.js";
import { signedBar } from "../glyphs.js";
import { useTheme } from "../theme.js";
import { CellRow, SectionTitle } from "./Cells.js";

/** slots drawn at most; the rest are counted in one line */
export const MAX_SLOT_ROWS = 8;

interface SlotRow {
  slot: number;
  pages: number;
  bytes: number;
  fractionOfBatch: number | null;
}

/** CPUs: every online CPU in id order when they fit, else the largest holders. Threads: the largest holders. */
function rowsToDraw(hello: HelloLine, residue: RankedSlot[]): { rows: SlotRow[]; hidden: number } {
  if (hello.slot_kind === "cpu" && hello.cpus.online.length <= MAX_SLOT_ROWS) {
    const bySlot = new Map(residue.map((r) => [r.slot, r]));
    const rows = hello.cpus.online.map(
      (cpu) => bySlot.get(cpu) ?? { slot: cpu, pages: 0, bytes: 0, fractionOfBatch: 0 },
    );
    return { rows, hidden: 0 };
  }
  const rows = residue.slice(0, MAX_SLOT_ROWS);
  return { rows, hidden: residue.length - rows.length };
}

export function ResidueBars({ hello, analysis, width }: { hello: HelloLine; analysis: Analysis; width: number }) {
  const theme = useTheme();
  const kind = hello.slot_kind;
  if (analysis.estimate || kind === "none") {
    return (
      <Box flexDirection="column">
        <SectionTitle title="Residue" color={theme.accent} width={width} />
        <Text dimColor>
          {analysis.estimate
            ? "not visible without drgn: the procfs estimate sees totals, not slots"
            : "this kernel keeps no per-CPU or per-thread cache: nothing parks anywhere"}
        </Text>
      </Box>
    );
  }
  const { rows, hidden } = rowsToDraw(hello, analysis.residue);
  const batchScale = kind === "cpu" && analysis.batch !== null ? analysis.batch - 1 : null;
  const scale = batchScale ?? Math.max(1, ...rows.map((r) => Math.abs(r.pages)));
  const wide = width >= 90;
  const half = Math.max(5, Math.min(16, Math.floor((width - 44) / 2)));
  const label = kind === "cpu" ? "cpu" : "tid";
  const title = kind === "cpu" ? "Residue per CPU" : "Residue per thread";
  const meaning =
    kind === "cpu"
      ? `pages parked in each slot, not yet counted · full bar = batch − 1 = ${scale}`
      : "pages in each thread's cache (task->rss_stat), folded in every 64 faults";

  const breakdown = (slot: number) =>
    (analysis.counters ?? [])
      .flatMap((c) => c.residue.filter((r) => r.slot === slot).map((r) => `${c.name} ${formatSignedPages(r.pages)}`))
      .join(" ");

  return (
    <Box flexDirection="column">
      <SectionTitle title={title} meaning={meaning} color={theme.accent} width={width} />
      {rows.map((row) => {
        // CPUs: the bar is how close the slot's fullest counter is to flushing (the pages shown
        // are summed over the RSS counters, so they may exceed batch − 1); threads: pages
        const barValue =
          batchScale !== null && row.fractionOfBatch !== null ? Math.sign(row.pages) * row.fractionOfBatch * batchScale : row.pages;
        const bar = signedBar(barValue, scale, half);
        const closeness =
          kind === "cpu" && batchScale !== null ? (row.pages === 0 ? "" : `${formatPercent(row.fractionOfBatch)} of ${batchScale}`) : "";
        return (
          <CellRow
            key={row.slot}
            cells={[
              { text: `${label} ${row.slot}`, width: kind === "cpu" ? 6 : 10 },
              { text: bar.left, width: half, color: theme.negative },
              { text: "│" + bar.right, width: half + 1, color: theme.drift },
              { text: row.pages === 0 ? "·" : formatSignedPages(row.pages), width: 6, align: "right", bold: row.pages !== 0 },
              { text: row.pages === 0 ? "" : formatSignedBytes(row.bytes), width: 9, align: "right" },
              { text: closeness, width: 11 },
              ...(wide ? [{ text: breakdown(row.slot), width: 24, dim: true }] : []),
            ]}
          />
        );
      })}
      {rows.length === 0 ? <Text dimColor>no {kind === "cpu" ? "CPU" : "thread"} holds residue in this sample</Text> : null}
      {hidden > 0 ? (
        <Text dimColor>{`… ${hidden} more ${kind === "cpu" ? "CPUs" : "threads"} hold residue (largest shown)`}</Text>
      ) : null}
    </Box>
  );
}
