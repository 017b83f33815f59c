// What the view shows before the first sample: the helper's progress (drgn's loading of debug
// info takes seconds) and notices such as a backend that --backend auto skipped.
import { Box, Text } from "ink";
import { TitleLine } from "./TitleLine.js";

export function StartingView({ origin, notices }: { origin: string; notices: string[] }) {
  return (
    <Box flexDirection="column">
      <TitleLine text={`starting${origin ? ` ${origin}` : ""}…`} />
      {notices.map((notice, i) => (
        <Text key={i} dimColor={i < notices.length - 1}>
          {`  ${notice}`}
        </Text>
      ))}
      <Text dimColor>bpf starts in a moment; drgn loads the kernel's debug info first, which takes seconds. q quits.</Text>
    </Box>
  );
}
