// The live view: a pure Ink app over a SampleSource. Everything it shows comes from the source's
// lines and their analysis; the only effects are the source's controls and saving snapshots
// through a callback, so tests drive it with a fake source.
import { Box, Text, useApp } from "ink";
import { memo, useEffect, useMemo, useReducer, useRef, useState, type FunctionComponent } from "react";
import { NO_ESTIMATE } from "../vocabulary/backends.js";
import { explain } from "../vocabulary/explanation.js";
import { backendChoiceNote } from "./backend-note.js";
import { BoundGauge } from "./components/BoundGauge.js";
import { CounterTable } from "./components/CounterTable.js";
import { DriftSparkline } from "./components/DriftSparkline.js";
import { Explanation } from "./components/Explanation.js";
import { BackendNote, EraLine, HeaderTitle, MachineLine, TargetLine } from "./components/Header.js";
import { HelpOverlay } from "./components/HelpOverlay.js";
import { ReaderVerdicts } from "./components/ReaderVerdicts.js";
import { ResidueBars } from "./components/ResidueBars.js";
import { StartingView } from "./components/StartingView.js";
import { StatusLine } from "./components/StatusLine.js";
import { formatSignedPages } from "./format.js";
import { useSampleStream } from "./hooks/useSampleStream.js";
import { useTerminalSize } from "./hooks/useTerminalSize.js";
import { useWatchKeys } from "./hooks/useWatchKeys.js";
import { frameBudget } from "./layout.js";
import { planFrame } from "./frame-plan.js";
import { sameContent } from "./same-content.js";
import { defaultSort, heatMapShape, LIST_ALL_UP_TO, residueModel, scrolled, type ResidueSort } from "./residue-view.js";
import type { Analyse, AnalysedSample, DriftPoint, Mark, OpenSource, ViewOutcome } from "./stream-types.js";

/** the intervals `+` and `-` step through, milliseconds */
export const INTERVAL_STEPS = [100, 250, 500, 1000, 2000, 5000, 10000];

export function nextInterval(current: number, direction: "faster" | "slower"): number {
  if (direction === "faster") return [...INTERVAL_STEPS].reverse().find((ms) => ms < current) ?? current;
  return INTERVAL_STEPS.find((ms) => ms > current) ?? current;
}

/**
 * A section drawn again only when what it is given changed. Every sample re-renders the App, but
 * only a few of the frame's lines change from one sample to the next (the sample number, a
 * counter, a bar); the rest is skipped before React or Ink touch it (see same-content.ts).
 */
function redrawnOnChange<P extends object>(section: FunctionComponent<P>) {
  return memo(section, sameContent);
}

const Sections = {
  HeaderTitle: redrawnOnChange(HeaderTitle),
  BackendNote: redrawnOnChange(BackendNote),
  EraLine: redrawnOnChange(EraLine),
  MachineLine: redrawnOnChange(MachineLine),
  TargetLine: redrawnOnChange(TargetLine),
  CounterTable: redrawnOnChange(CounterTable),
  BoundGauge: redrawnOnChange(BoundGauge),
  DriftSparkline: redrawnOnChange(DriftSparkline),
  ReaderVerdicts: redrawnOnChange(ReaderVerdicts),
  Explanation: redrawnOnChange(Explanation),
  StatusLine: redrawnOnChange(StatusLine),
};

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
  /**
   * why this backend is in use (and why not a better one), e.g. for `--backend auto`: one line
   * under the title, kept after the title, counters, drift line and status line when rows run out
   */
  backendNote?: string;
}

export function App({
  open,
  analyse,
  saveSnapshot,
  onDone,
  mode,
  intervalMs,
  signal,
  now = () => new Date(),
  backendNote: givenNote,
}: AppProps) {
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
  // the residue list: its order (null: the default for the slot count) and its first row shown
  const [sortChoice, setSortChoice] = useState<ResidueSort | null>(null);
  const [residueTop, setResidueTop] = useState(0);

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
  const width = Math.max(20, columns);

  // computed once per sample (and per sort order or terminal size), not on every frame
  const slotCount = hello ? (hello.slot_kind === "cpu" ? hello.cpus.online.length : (latest?.sample.threads ?? 0)) : 0;
  const sort = sortChoice ?? defaultSort(slotCount);
  const residue = useMemo(() => (latest ? residueModel(latest.hello, latest.sample, latest.analysis, sort) : null), [latest, sort]);
  const shownMessage = state.alert ?? message;
  // the caller's note, else what --backend auto skipped and why (known once the source is open)
  const backendNote = givenNote ?? backendChoiceNote(state.backend, width);
  // the sentences of the latest sample (whose strings are printable), once per sample
  const explanation = useMemo(() => (latest ? explain(latest.analysis, latest.hello) : []), [latest]);
  const layout = useMemo(
    () =>
      latest
        ? planFrame({ rows, columns: width, analysis: latest.analysis, explanation, residue, marks, message: shownMessage, backendNote })
        : null,
    [rows, width, latest, explanation, residue, marks, shownMessage, backendNote],
  );
  // rows of the residue list on screen, for paging (the map and its legend sit above the list)
  const scrollable = residue !== null && residue.slots.length > LIST_ALL_UP_TO;
  const listRows =
    residue && layout && scrollable ? Math.max(1, layout.residue - 2 - heatMapShape(residue.slots.length, residue.idWidth, width).rows) : 1;
  const scroll = (delta: number) => {
    if (!residue || !scrollable) return;
    setResidueTop((top) => scrolled(Math.min(top, residue.slots.length), delta, residue.slots.length, listRows));
  };

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
      scroll: (step) => {
        const count = residue?.slots.length ?? 0;
        const by = { line: 1, page: listRows, all: count }[step.by];
        scroll(step.direction === "down" ? by : -by);
      },
      toggleSort: () => {
        if (!scrollable) return;
        setSortChoice(sort === "slot" ? "magnitude" : "slot");
        setResidueTop(0);
      },
      changeInterval: (direction) => {
        const current = steering.current.interval ?? hello?.interval_ms;
        if (current === undefined) return;
        steering.current.interval = nextInterval(current, direction);
        controls.setInterval(steering.current.interval);
        showSteering();
      },
      mark: () => {
        if (!latest) return setMessage("no sample to mark yet");
        if (!latest.analysis.rss) return setMessage(`nothing to mark: ${NO_ESTIMATE}`);
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

  if (!hello || !latest || !layout) {
    // the helper's progress: the most recent notices that fit (title, hint and a quitting line kept)
    const room = Math.max(0, frameBudget(rows) - 3);
    return (
      <Box flexDirection="column" width={width}>
        <StartingView origin={state.origin} notices={state.notices.slice(-room)} />
        {quitting ? <Text bold>stopping the helper…</Text> : null}
      </Box>
    );
  }
  if (help) return <HelpOverlay width={width} height={frameBudget(rows)} />;

  const pace =
    currentInterval === null
      ? ""
      : mode === "replay"
        ? `replay ×${(hello.interval_ms / currentInterval).toFixed(1)} (recorded every ${hello.interval_ms} ms)`
        : `every ${currentInterval} ms`;
  const analysis = latest.analysis;
  return (
    <Box flexDirection="column" width={width}>
      {layout.title ? <Sections.HeaderTitle hello={hello} origin={state.origin} /> : null}
      {layout.backendNote && backendNote ? <Sections.BackendNote note={backendNote} /> : null}
      {layout.era ? <Sections.EraLine hello={hello} /> : null}
      {layout.machine ? <Sections.MachineLine hello={hello} /> : null}
      {layout.target ? <Sections.TargetLine hello={hello} seq={latest.sample.seq} threads={latest.sample.threads} pace={pace} /> : null}
      {layout.counters ? <Sections.CounterTable analysis={analysis} width={width} height={layout.counters} /> : null}
      {layout.residue ? (
        <ResidueBars model={residue} estimate={analysis.estimate} width={width} height={layout.residue} top={residueTop} sort={sort} />
      ) : null}
      {layout.bound ? <Sections.BoundGauge analysis={analysis} width={width} height={layout.bound} /> : null}
      {layout.drift ? <Sections.DriftSparkline history={state.history} marks={marks} width={width} height={layout.drift} /> : null}
      {layout.readers ? (
        <Sections.ReaderVerdicts analysis={analysis} smapsEnabled={hello.smaps} width={width} height={layout.readers} />
      ) : null}
      {layout.explanation ? <Sections.Explanation sentences={explanation} width={width} height={layout.explanation} /> : null}
      {layout.message && shownMessage ? (
        <Box height={layout.message} overflowY="hidden">
          {/* wraps: a snapshot's file names must be readable in full */}
          <Text>{shownMessage}</Text>
        </Box>
      ) : null}
      {layout.status ? (
        <Sections.StatusLine paused={paused} end={end} quitting={quitting} mode={mode} width={width} sort={scrollable ? sort : null} />
      ) : null}
    </Box>
  );
}
