// The live view: a pure Ink app over a SampleSource. Everything it shows comes from the source's
// lines and their analysis; the only effects are the source's controls and saving snapshots
// through a callback, so tests drive it with a fake source.
import { Box, measureElement, Text, useApp, useInput, type DOMElement } from "ink";
import { useEffect, useRef, useState } from "react";
import { BoundGauge } from "./components/BoundGauge.js";
import { CounterTable } from "./components/CounterTable.js";
import { DriftSparkline } from "./components/DriftSparkline.js";
import { Explanation } from "./components/Explanation.js";
import { Header } from "./components/Header.js";
import { HelpOverlay } from "./components/HelpOverlay.js";
import { ReaderVerdicts } from "./components/ReaderVerdicts.js";
import { ResidueBars } from "./components/ResidueBars.js";
import { StartingView } from "./components/StartingView.js";
import { StatusLine } from "./components/StatusLine.js";
import { formatSignedPages } from "./format.js";
import { useSampleStream } from "./hooks/useSampleStream.js";
import { useTerminalSize } from "./hooks/useTerminalSize.js";
import type { Analyse, AnalysedSample, DriftPoint, Mark, OpenSource, ViewOutcome } from "./stream-types.js";

/** the intervals `+` and `-` step through, milliseconds */
export const INTERVAL_STEPS = [100, 250, 500, 1000, 2000, 5000, 10000];

export function nextInterval(current: number, direction: "faster" | "slower"): number {
  if (direction === "faster") return [...INTERVAL_STEPS].reverse().find((ms) => ms < current) ?? current;
  return INTERVAL_STEPS.find((ms) => ms > current) ?? current;
}

export interface AppProps {
  open: OpenSource;
  analyse: Analyse;
  /** writes the snapshot files and returns their paths, to show */
  saveSnapshot: (sample: AnalysedSample, marks: Mark[], history: DriftPoint[]) => Promise<string[]>;
  /** called once, just before the app exits */
  onDone: (outcome: ViewOutcome) => void;
  /** live: the helper samples at an interval; replay: a recording plays at a speed */
  mode: "live" | "replay";
  /** the effective interval at start, when it is not the hello line's (a replay at --speed 2) */
  intervalMs?: number;
  /** aborted by the command on SIGTERM / SIGINT: quit as if by Ctrl-C */
  signal?: AbortSignal;
  /** the clock for mark times */
  now?: () => Date;
}

export function App({ open, analyse, saveSnapshot, onDone, mode, intervalMs, signal, now = () => new Date() }: AppProps) {
  const { exit } = useApp();
  const { columns, rows } = useTerminalSize();
  const { state, controls } = useSampleStream(open, analyse);
  const [paused, setPaused] = useState(false);
  const [interval, setIntervalMs] = useState<number | null>(intervalMs ?? null);
  const [marks, setMarks] = useState<Mark[]>([]);
  const [help, setHelp] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [quitting, setQuitting] = useState(false);
  const done = useRef(false);
  // the explanation gets the lines the other sections leave, so the frame never outgrows the
  // terminal (Ink would then redraw the whole screen on every sample)
  const above = useRef<DOMElement>(null);
  const below = useRef<DOMElement>(null);
  const [explanationLines, setExplanationLines] = useState(0);
  useEffect(() => {
    if (!above.current || !below.current) return;
    const used = measureElement(above.current).height + measureElement(below.current).height;
    const left = rows === Infinity ? 100 : rows - used - 1;
    if (left !== explanationLines) setExplanationLines(left);
  });

  const finish = (outcome: ViewOutcome) => {
    if (done.current) return;
    done.current = true;
    onDone(outcome);
    exit();
  };
  const quit = (kind: "quit" | "interrupted") => {
    if (done.current || quitting) return;
    setQuitting(true);
    void controls.close().finally(() => finish({ kind }));
  };

  useEffect(() => {
    if (!signal) return;
    const onAbort = () => quit("interrupted");
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort);
    return () => signal.removeEventListener("abort", onAbort);
  });

  // a stream that stops before showing anything has nothing to keep on screen
  const { end, latest, hello } = state;
  useEffect(() => {
    if (end && !latest) finish({ kind: "ended", end });
  });

  const currentInterval = interval ?? hello?.interval_ms ?? null;
  const changeInterval = (direction: "faster" | "slower") => {
    if (currentInterval === null) return;
    const next = nextInterval(currentInterval, direction);
    setIntervalMs(next);
    controls.setInterval(next);
  };

  useInput((input, key) => {
    if (end) {
      finish({ kind: "ended", end });
      return;
    }
    if (key.ctrl && input === "c") return quit("interrupted");
    if (input === "q") return quit("quit");
    if (help) {
      if (input === "?" || key.escape) setHelp(false);
      return;
    }
    if (input === "?") return setHelp(true);
    if (input === " ") {
      controls.setPaused(!paused);
      setPaused(!paused);
      return;
    }
    if (input === "r") return controls.sampleNow();
    if (input === "+" || input === "=") return changeInterval("faster");
    if (input === "-" || input === "_") return changeInterval("slower");
    if (input === "m") {
      if (!latest) return setMessage("no sample to mark yet");
      const mark: Mark = { number: marks.length + 1, seq: latest.sample.seq, driftPages: latest.analysis.rss.driftPages, at: now() };
      setMarks([...marks, mark]);
      return setMessage(`mark #${mark.number} at sample ${mark.seq} (drift ${formatSignedPages(mark.driftPages)} pages)`);
    }
    if (input === "s") {
      if (!latest) return setMessage("no sample to save yet");
      setMessage("saving snapshot…");
      saveSnapshot(latest, marks, state.history).then(
        (paths) => setMessage(`snapshot saved: ${paths.join(" and ")}`),
        (error: Error) => setMessage(`snapshot failed: ${error.message}`),
      );
    }
  });

  const width = Math.max(40, columns);
  if (!hello || !latest) {
    return (
      <Box flexDirection="column" width={width}>
        <StartingView origin={state.origin} notices={state.notices} />
        {quitting ? <Text bold>stopping the helper…</Text> : null}
      </Box>
    );
  }
  if (help) return <HelpOverlay width={width} />;

  const pace =
    currentInterval === null
      ? ""
      : mode === "replay"
        ? `replay ×${(hello.interval_ms / currentInterval).toFixed(1)} (recorded every ${hello.interval_ms} ms)`
        : `every ${currentInterval} ms`;
  const gap = rows >= 50 ? 1 : 0;
  return (
    <Box flexDirection="column" width={width}>
      <Box ref={above} flexDirection="column" rowGap={gap}>
        <Header hello={hello} origin={state.origin} seq={latest.sample.seq} threads={latest.sample.threads} pace={pace} />
        <CounterTable analysis={latest.analysis} width={width} />
        <ResidueBars hello={hello} analysis={latest.analysis} width={width} />
        <BoundGauge analysis={latest.analysis} width={width} />
        <DriftSparkline history={state.history} marks={marks} width={width} />
        <ReaderVerdicts analysis={latest.analysis} smapsEnabled={hello.smaps} width={width} />
      </Box>
      <Explanation sentences={latest.analysis.explanation} width={width} maxLines={explanationLines} />
      <Box ref={below}>
        <StatusLine paused={paused} end={end} quitting={quitting} mode={mode} message={message} width={width} />
      </Box>
    </Box>
  );
}
