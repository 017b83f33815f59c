// Who and what is being watched: host, kernel, era, drgn, CPUs, batch, page size, target, pace.
import { Box, Text } from "ink";
import type { ReactNode } from "react";
import type { Era, HelloLine } from "../../schema/helper-line.js";
import { formatBytes } from "../format.js";
import { TitleLine } from "./TitleLine.js";

const eraMeaning: Record<Era, string> = {
  percpu: "v6.2+: residue parks in per-CPU slots",
  "split-rss": "before v6.2: residue parks in per-thread caches",
  none: "no cache: cached = exact",
  unknown: "layout not visible to this backend",
};

export interface HeaderProps {
  hello: HelloLine;
  /** where the samples come from: "drgn helper on root@lab:2222", "replay of run.jsonl" */
  origin: string;
  /** the latest sample's number and thread count, when there is one */
  seq: number | null;
  threads: number;
  /** how often samples come, in words: "every 500 ms", "replay ×2 (every 250 ms)" */
  pace: string;
}

export function Header({ hello, origin, seq, threads, pace }: HeaderProps) {
  const { online, possible } = hello.cpus;
  const source = hello.backend === "procfs" ? "procfs estimate (no drgn: counters not visible)" : `drgn ${hello.drgn ?? "?"}`;
  const eraFrom = hello.era_source === "type" ? "detected from types" : "guessed from the release";
  const machine: ReactNode[] = [
    `CPUs ${online.length} online / ${possible.length} possible`,
    `batch ${hello.batch ?? "unknown"}`,
    `page ${formatBytes(hello.page_size)}`,
  ];
  const target: ReactNode[] = [
    <Text key="pid">
      {`pid ${hello.target.pid} `}
      <Text bold>{hello.target.comm}</Text>
    </Text>,
    `${threads} thread${threads === 1 ? "" : "s"}`,
    pace,
    ...(seq === null ? [] : [`sample #${seq}`]),
  ];
  return (
    <Box flexDirection="column">
      <TitleLine text={`${origin} · kernel ${hello.kernel} · ${source}`} />
      <Text>
        {"era "}
        <Text bold>{hello.era}</Text>
        <Text dimColor>{` (${eraMeaning[hello.era]}; ${eraFrom})`}</Text>
      </Text>
      <Fields fields={machine} />
      <Fields fields={target} />
    </Box>
  );
}

/** fields separated by " · ", wrapping between fields, never inside one */
function Fields({ fields }: { fields: ReactNode[] }) {
  return (
    <Box flexWrap="wrap">
      {fields.map((field, i) => (
        <Text key={i}>
          {field}
          {i < fields.length - 1 ? " · " : ""}
        </Text>
      ))}
    </Box>
  );
}
