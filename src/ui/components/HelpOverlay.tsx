// The `?` screen: the keys, and what the numbers on the main screen mean.
import { Box, Text } from "ink";
import { useTheme } from "../theme.js";

export const KEYS: [string, string][] = [
  ["space", "pause / resume sampling (the helper keeps running, idle)"],
  ["r", "take one sample now (also while paused)"],
  ["+ / -", "sample faster / slower (a replay plays faster / slower)"],
  ["m", "mark this sample in the history, e.g. just before an allocation"],
  ["s", "save a snapshot of this sample as JSON and Markdown"],
  ["?", "this help (Esc or ? closes it)"],
  ["q", "quit, stopping the helper (Ctrl-C too)"],
];

const TERMS: [string, string][] = [
  ["cached", "get_mm_counter(): the shared count; /proc/PID/stat always shows it"],
  ["exact", "the count plus every slot: percpu_counter_sum() (per-thread caches before 6.2)"],
  ["drift", "exact − cached: pages faulted in but not yet folded into the shared count"],
  ["residue", "what one CPU's slot (or thread's cache) holds; it flushes at ±batch"],
  ["batch", "percpu_counter_batch = max(32, 2 × online CPUs)"],
  ["bound", "worst drift of one counter: online CPUs × (batch − 1); VmRSS sums three"],
];

export function HelpOverlay({ width }: { width: number }) {
  const theme = useTheme();
  const keyWidth = 7;
  const termWidth = 9;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1} width={Math.min(width, 100)}>
      <Text bold color={theme.accent}>
        Keys
      </Text>
      {KEYS.map(([key, meaning]) => (
        <Text key={key} wrap="truncate-end">
          <Text bold>{key.padEnd(keyWidth)}</Text>
          {meaning}
        </Text>
      ))}
      <Text> </Text>
      <Text bold color={theme.accent}>
        What the numbers mean (pages unless said)
      </Text>
      {TERMS.map(([term, meaning]) => (
        <Text key={term} wrap="truncate-end">
          <Text bold>{term.padEnd(termWidth)}</Text>
          {meaning}
        </Text>
      ))}
    </Box>
  );
}
