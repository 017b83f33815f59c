// Who and what is being watched, one line each so the layout can keep or drop them: the title
// (source, kernel, backend), the target and sample, the machine, the era, and the one-line
// reason for the backend in use. Every line is cut at the terminal's edge, never wrapped.
import { Text } from "ink";
import type { HelloLine } from "../../schema/helper-line.js";
import { printable } from "../../text/printable.js";
import { backendName } from "../../vocabulary/backends.js";
import { eraDescription } from "../../vocabulary/era.js";
import { machineLine } from "../../vocabulary/machine.js";
import { TitleLine } from "./TitleLine.js";

export function HeaderTitle({ hello, origin }: { hello: HelloLine; origin: string }) {
  return <TitleLine text={`${origin} · kernel ${hello.kernel} · ${backendName(hello)}`} />;
}

export interface TargetLineProps {
  hello: HelloLine;
  /** the latest sample's number and thread count */
  seq: number;
  threads: number;
  /** how often samples come, in words: "every 500 ms", "replay ×2 (every 250 ms)" */
  pace: string;
}

/** the sample number first: it is what changes, and it must survive a narrow terminal */
export function TargetLine({ hello, seq, threads, pace }: TargetLineProps) {
  return (
    <Text wrap="truncate-end">
      {`sample #${seq} · pid ${hello.target.pid} `}
      <Text bold>{hello.target.comm}</Text>
      {` · ${threads} thread${threads === 1 ? "" : "s"}${pace ? ` · ${pace}` : ""}`}
    </Text>
  );
}

export function MachineLine({ hello }: { hello: HelloLine }) {
  return <Text wrap="truncate-end">{machineLine(hello)}</Text>;
}

export function EraLine({ hello }: { hello: HelloLine }) {
  return (
    <Text wrap="truncate-end">
      {"era "}
      <Text bold>{hello.era}</Text>
      <Text dimColor>{`: ${eraDescription(hello.era, hello.era_source)}`}</Text>
    </Text>
  );
}

/**
 * why this backend (and not a better one): one line, given by the command (`--backend auto`);
 * made printable here, as it may quote what the target said (a missing file, sudo's refusal)
 */
export function BackendNote({ note }: { note: string }) {
  return (
    <Text wrap="truncate-end" dimColor>
      {printable(note)}
    </Text>
  );
}
