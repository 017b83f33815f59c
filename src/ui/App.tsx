// The live view: a pure Ink app over a SampleSource. Everything it shows comes from the source's
// lines and their analysis; the only effects are the source's controls and saving snapshots
// through a callback, so tests drive it with a fake source.
import { Box, measureElement, Text, useApp, type DOMElement } from "ink";
import { useEffect, useReducer, useRef, useState } from "react";
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
import { useWatchKeys } from "./hooks/useWatchKeys.js";
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
  // what the keys steer, in a ref so that keys pressed faster than renders each see the last
  // one's effect (two `-` in a row step twice); a re-render shows it
  const steering = useRef<{ paused: boolean; interval: number | null; marks: Mark[] }>({
    paused: false,
    interval: intervalMs ?? null,
    marks: [],
  });
  const [, showSteering] = useReducer((n: number) => n + 1, 0);
  const { paused, marks } = steering.current;
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
  const stopRequested = useRef(false);
  const quit = (kind: "quit" | "interrupted") => {
    // a second q or Ctrl-C while the helper is stopping: leave now (the command still closes it)
    if (stopRequested.current) return finish({ kind });
    stopRequested.current = true;
    setQuitting(true);
    void controls.close().finally(() => finish({ kind }));
  };

  const quitNow = useRef(quit);
  quitNow.current = quit;
  useEffect(() => {
    if (!signal) return;
    const onAbort = () => quitNow.current("interrupted");
    if (signal.aborted) onAbort();
    signal.addEventListener("abort", onAbort);
    return () => signal.removeEventListener("abort", onAbort);
  }, [signal]);

  // a stream that stops before showing anything has nothing to keep on screen
  const { end, latest, hello } = state;
  useEffect(() => {
    if (end && !latest) finish({ kind: "ended", end });
  });

  const currentInterval = steering.current.interval ?? hello?.interval_ms ?? null;

  useWatchKeys(
    { ended: end !== null, help },
    {
      quit,
      leave: () => end && finish({ kind: "ended", end }),
      setHelp,
      togglePause: () => {
        steering.current.paused = !steering.current.paused;
        controls.setPaused(steering.current.paused);
        showSteering();
      },
      sampleNow: controls.sampleNow,
      changeInterval: (direction) => {
        const current = steering.current.interval ?? hello?.interval_ms;
        if (current === undefined) return;
        steering.current.interval = nextInterval(current, direction);
        controls.setInterval(steering.current.interval);
        showSteering();
      },
      mark: () => {
        if (!latest) return setMessage("no sample to mark yet");
        const number = steering.current.marks.length + 1;
        const mark: Mark = { number, seq: latest.sample.seq, driftPages: latest.analysis.rss.driftPages, at: now() };
        steering.current.marks = [...steering.current.marks, mark];
        setMessage(`mark #${number} at sample ${mark.seq} (drift ${formatSignedPages(mark.driftPages)} pages)`);
      },
      snapshot: () => {
        if (!latest) return setMessage("no sample to save yet");
        setMessage("saving snapshot…");
        saveSnapshot(state.exact ?? latest, steering.current.marks, state.history).then(
          (paths) => setMessage(`snapshot saved: ${paths.join(" and ")}`),
          (error: Error) => setMessage(`snapshot failed: ${error.message}`),
        );
      },
    },
  );

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
        <StatusLine paused={paused} end={end} quitting={quitting} mode={mode} message={state.alert ?? message} width={width} />
      </Box>
    </Box>
  );
}
