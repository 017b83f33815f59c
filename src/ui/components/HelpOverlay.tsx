// The `?` screen: the keys, and what the numbers on the main screen mean.
import { Box, Text } from "ink";
import { GLOSSARY } from "../../vocabulary/glossary.js";
import { useTheme } from "../theme.js";

export const KEYS: [string, string][] = [
  ["space", "pause / resume sampling (the helper keeps running, idle)"],
  ["r", "take one sample now (also while paused)"],
  ["+ / -", "sample faster / slower (a replay plays faster / slower)"],
  ["m", "mark this sample in the history, e.g. just before an allocation"],
  ["s", "save a snapshot of this sample as JSON and Markdown"],
  ["↑ ↓ j k", "scroll the residue list by one (many CPUs or threads)"],
  ["PgUp PgDn", "scroll it by a page; Home End: to the top, to the end"],
  ["o", "sort the residue list by CPU id / by |residue|, largest first"],
  ["?", "this help (Esc or ? closes it)"],
  ["q", "quit, stopping the helper (Ctrl-C too)"],
];

/** as many lines as `height` allows, keys first, inside a border (two lines) */
export function HelpOverlay({ width, height }: { width: number; height: number }) {
  const theme = useTheme();
  const keyWidth = 10;
  const termWidth = 9;
  const lines = [
    <Text key="keys" bold color={theme.accent}>
      Keys
    </Text>,
    ...KEYS.map(([key, meaning]) => (
      <Text key={key} wrap="truncate-end">
        <Text bold>{key.padEnd(keyWidth)}</Text>
        {meaning}
      </Text>
    )),
    <Text key="gap"> </Text>,
    <Text key="terms" bold color={theme.accent}>
      What the numbers mean (pages unless said)
    </Text>,
    ...GLOSSARY.map(([term, meaning]) => (
      <Text key={term} wrap="truncate-end">
        <Text bold>{term.padEnd(termWidth)}</Text>
        {meaning}
      </Text>
    )),
  ];
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={Math.min(width, 100)}>
      {lines.slice(0, Math.max(1, height - 2))}
    </Box>
  );
}
