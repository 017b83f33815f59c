// The bottom line: live, paused, or why the stream stopped; the last action's message; the keys.
import { Box, Text } from "ink";
import { printable } from "../../text/printable.js";
import type { StreamEnd } from "../stream-types.js";
import { useTheme } from "../theme.js";

export interface StatusLineProps {
  paused: boolean;
  end: StreamEnd | null;
  quitting: boolean;
  /** "replay" says "end of recording" where a live view says the helper stopped */
  mode: "live" | "replay";
  /** what the last key did: "mark #2 at sample 17", "saved snapshots/…" */
  message: string | null;
  width: number;
}

/** the error stays exact for the entry point (which prints its own printable line); shown printable here */
function endText(end: StreamEnd, mode: "live" | "replay"): string {
  switch (end.kind) {
    case "exited":
      return `process exited (${printable(end.error.message)}): last sample kept`;
    case "finished":
      return mode === "replay" ? "end of recording: last sample kept" : "the helper stopped (--count reached): last sample kept";
    case "failed":
      return `stopped: ${printable(end.error.message)}`;
  }
}

export function StatusLine({ paused, end, quitting, mode, message, width }: StatusLineProps) {
  const theme = useTheme();
  const keys =
    width >= 90
      ? `space ${paused ? "resume" : "pause"} · r sample now · +/- rate · m mark · s snapshot · ? help · q quit`
      : `space ${paused ? "resume" : "pause"} · r · m mark · s save · ? help · q quit`;
  let state;
  if (quitting) state = <Text bold>stopping the helper…</Text>;
  else if (end)
    state = (
      <Text bold color={end.kind === "finished" ? theme.warn : theme.error}>
        {`■ ${endText(end, mode)} · press any key to exit`}
      </Text>
    );
  else if (paused)
    state = (
      <Text bold inverse color={theme.warn}>
        {" ⏸ PAUSED "}
      </Text>
    );
  else state = <Text color={theme.exact}>{mode === "replay" ? "▶ replay" : "● live"}</Text>;
  return (
    <Box flexDirection="column">
      {/* wraps: a snapshot's file names must be readable in full */}
      {message ? <Text>{message}</Text> : null}
      <Text wrap={end ? "wrap" : "truncate-end"}>
        {state}
        {end || quitting ? "" : `  ${keys}`}
      </Text>
    </Box>
  );
}
