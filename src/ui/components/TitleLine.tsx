// The first line of every screen: the name, then what follows it.
import { Text } from "ink";
import { useTheme } from "../theme.js";

export function TitleLine({ text }: { text: string }) {
  const theme = useTheme();
  return (
    <Text wrap="truncate-end">
      <Text bold color={theme.accent}>
        rssdrift
      </Text>
      {`  ${text}`}
    </Text>
  );
}
