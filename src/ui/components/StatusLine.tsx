// The bottom line: live, paused, or why the stream stopped; the last action's message; the keys.
import { Text } from "ink";
import type { ReactNode } from "react";
import { printable } from "../../text/printable.js";
import type { ResidueSort } from "../residue-view.js";
import type { StreamEnd } from "../stream-types.js";
import { useTheme } from "../theme.js";

export interface StatusLineProps {
  paused: boolean;
  end: StreamEnd | null;
  quitting: boolean;
  /** "replay" says "end of recording" where a live view says the helper stopped */
  mode: "live" | "replay";
  width: number;
  /** the residue list's order, when the list can be sorted and scrolled (many slots) */
  sort: ResidueSort | null;
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

/** the keys, as many words as the width allows; the sort order named when it can change */
export function statusKeys(paused: boolean, sort: ResidueSort | null, width: number): string {
  const order = sort === null ? "" : sort === "slot" ? "o sort:id · " : "o sort:|res| · ";
  const scroll = sort === null ? "" : "↑↓ scroll · ";
  if (width >= 110)
    return `space ${paused ? "resume" : "pause"} · r sample now · +/- rate · m mark · s snapshot · ${scroll}${order}? help · q quit`;
  if (width >= 90) return `space ${paused ? "resume" : "pause"} · r · +/- · m mark · s save · ${scroll}${order}? help · q quit`;
  return `${order}space ${paused ? "resume" : "pause"} · m mark · s save · ? help · q quit`;
}

export function StatusLine({ paused, end, quitting, mode, width, sort }: StatusLineProps) {
  const theme = useTheme();
  const keys = statusKeys(paused, sort, width);
  let state: ReactNode;
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
    <Text wrap="truncate-end">
      {state}
      {end || quitting ? "" : `  ${keys}`}
    </Text>
  );
}
