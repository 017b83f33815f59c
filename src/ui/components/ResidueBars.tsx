// Where the drift sits, per CPU (percpu era) or thread (split-rss era). Up to LIST_ALL_UP_TO
// slots: one bar each. More: a heat map of every slot (one cell each) above a list that scrolls
// (↑↓ PgUp PgDn Home End, j/k) and sorts by id or by |residue| (o). In a small terminal: the title
// and the largest holders on one line. Bars: negative slots left of the axis, positive right; for
// CPUs a full side is batch − 1 pages in one counter's slot, the most it holds before it flushes.
import { Box, Text } from "ink";
import { memo } from "react";
import { sameContent } from "../same-content.js";
import { NO_SLOTS, SLOTS_NOT_VISIBLE } from "../../vocabulary/counters.js";
import { formatPercent, formatSignedBytes, formatSignedPages } from "../format.js";
import { HEAT_GROUP, heatMapShape, LIST_ALL_UP_TO, type ResidueModel, type ResidueSort, type SlotView } from "../residue-view.js";
import { HEAT_RAMP, HEAT_RAMP_NEGATIVE_PLAIN, HEAT_ZERO, heatCell, signedBar } from "../glyphs.js";
import { useTheme, type Theme } from "../theme.js";
import { CellRow, SectionTitle } from "./Cells.js";

export interface ResidueBarsProps {
  /** null: the backend cannot see slots, or the kernel has none */
  model: ResidueModel | null;
  estimate: boolean;
  width: number;
  height: number;
  /** the first list row shown (the scroll position) */
  top: number;
  sort: ResidueSort;
}

const sortWords: Record<ResidueSort, string> = { slot: "by id", magnitude: "by |residue|" };

export const ResidueBars = memo(function ResidueBars({ model, estimate, width, height, top, sort }: ResidueBarsProps) {
  const theme = useTheme();
  if (model === null) {
    return (
      <Box flexDirection="column">
        <SectionTitle title="Residue" color={theme.accent} />
        <Text dimColor wrap="truncate-end">
          {estimate ? SLOTS_NOT_VISIBLE : NO_SLOTS}
        </Text>
      </Box>
    );
  }
  const cpu = model.kind === "cpu";
  const noun = cpu ? "CPU" : "thread";
  const title = `Residue per ${noun}`;
  const count = model.slots.length;
  const scaleWords = cpu ? `batch − 1 = ${model.scale}` : `the largest, ${model.scale} pages`;

  if (height <= 2 || model.holding === 0) {
    const holders = model.slots.filter((s) => s.pages !== 0).sort((a, b) => Math.abs(b.pages) - Math.abs(a.pages));
    return (
      <Box flexDirection="column">
        <SectionTitle title={title} meaning={`${model.holding} of ${count} hold pages, largest first`} color={theme.accent} />
        <Text wrap="truncate-end">
          {holders.length === 0
            ? `no ${noun} holds residue in this sample`
            : holders.map((s) => `${label(model, s.slot)} ${formatSignedPages(s.pages)}`).join(" · ")}
        </Text>
      </Box>
    );
  }

  const withMap = count > LIST_ALL_UP_TO;
  const shape = heatMapShape(count, model.idWidth, width);
  const listRows = Math.max(0, height - 1 - (withMap ? shape.rows + 1 : 0));
  const first = Math.max(0, Math.min(top, count - listRows));
  const shown = model.slots.slice(first, first + listRows);
  const where = withMap
    ? ` · rows ${first + 1}–${first + shown.length} of ${count}, ${sortWords[sort]} (o sorts, ↑↓ PgUp PgDn scroll)`
    : "";
  return (
    <Box flexDirection="column">
      <SectionTitle
        title={title}
        meaning={`${model.holding} of ${count} hold pages${where} · full bar = ${scaleWords}`}
        color={theme.accent}
      />
      {withMap ? <HeatMap model={model} width={width} theme={theme} /> : null}
      {withMap ? <HeatLegend model={model} theme={theme} /> : null}
      {shown.map((slot) => (
        <SlotRow key={slot.slot} model={model} slot={slot} width={width} theme={theme} />
      ))}
    </Box>
  );
}, sameContent);

/** "cpu 117", padded so every label has the width of the widest id: ids are never cut */
function label(model: ResidueModel, slot: number): string {
  return `${model.kind === "cpu" ? "cpu" : "tid"} ${String(slot).padStart(model.idWidth)}`;
}

function SlotRow({ model, slot, width, theme }: { model: ResidueModel; slot: SlotView; width: number; theme: Theme }) {
  const labelWidth = 4 + model.idWidth;
  const wide = width >= 90;
  const half = Math.max(5, Math.min(16, Math.floor((width - 38 - labelWidth) / 2)));
  const bar = signedBar(slot.heat * model.scale, model.scale, half);
  const closeness = model.kind === "cpu" && slot.pages !== 0 ? `${formatPercent(slot.fractionOfBatch)} of ${model.scale}` : "";
  return (
    <CellRow
      cells={[
        { text: label(model, slot.slot), width: labelWidth },
        { text: bar.left, width: half, color: theme.negative },
        { text: `│${bar.right}`, width: half + 1, color: theme.drift },
        { text: slot.pages === 0 ? "·" : formatSignedPages(slot.pages), width: 6, align: "right", bold: slot.pages !== 0 },
        { text: slot.pages === 0 ? "" : formatSignedBytes(slot.bytes), width: 9, align: "right" },
        { text: closeness, width: 11 },
        ...(wide ? [{ text: slot.breakdown, width: 24, dim: true }] : []),
      ]}
    />
  );
}

/**
 * One cell a slot in id order, rows labelled with their first id, cells in groups of eight.
 * Colour shows the sign (positive in the drift colour, negative in the negative one); without
 * colour, negative slots use their own characters. Runs of one colour are one Text.
 */
function HeatMap({ model, width, theme }: { model: ResidueModel; width: number; theme: Theme }) {
  const byId = [...model.slots].sort((a, b) => a.slot - b.slot);
  const shape = heatMapShape(byId.length, model.idWidth, width);
  const plain = theme.drift === undefined;
  const rows = [];
  for (let r = 0; r < shape.rows; r++) {
    const cells = byId.slice(r * shape.perRow, (r + 1) * shape.perRow);
    const runs: { color: string | undefined; text: string }[] = [];
    cells.forEach((cell, i) => {
      const text = (i > 0 && i % HEAT_GROUP === 0 ? " " : "") + heatCell(cell.heat, plain);
      const color = cell.heat > 0 ? theme.drift : cell.heat < 0 ? theme.negative : undefined;
      const last = runs.at(-1);
      if (last && last.color === color) last.text += text;
      else runs.push({ color, text });
    });
    rows.push(
      <Text key={r} wrap="truncate-end">
        <Text dimColor>{`${String(cells[0]!.slot).padStart(model.idWidth)} `}</Text>
        {runs.map((run, i) => (
          <Text key={i} color={run.color} dimColor={run.color === undefined}>
            {run.text}
          </Text>
        ))}
      </Text>,
    );
  }
  return <>{rows}</>;
}

function HeatLegend({ model, theme }: { model: ResidueModel; theme: Theme }) {
  const plain = theme.drift === undefined;
  const of = model.kind === "cpu" ? "of batch − 1" : "of the largest";
  return (
    <Text dimColor wrap="truncate-end">
      {`${" ".repeat(model.idWidth + 1)}${HEAT_ZERO} empty  ${HEAT_RAMP} ≤¼ ≤½ ≤¾ ≤full ${of}  `}
      {plain ? (
        `(${HEAT_RAMP_NEGATIVE_PLAIN} the same, negative)`
      ) : (
        <>
          <Text color={theme.drift}>positive</Text> <Text color={theme.negative}>negative</Text>
        </>
      )}
    </Text>
  );
}
