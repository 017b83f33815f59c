// Reads a SampleSource for the live view: progress and notices while starting, the hello line,
// then each sample analysed, with a bounded drift history. The source is opened and read once
// for the life of the view (one long-lived helper); controls go to that same source.
// This is where the target's strings enter the view: what the state holds for showing is made
// printable here, once (docs/SECURITY.md); `exact` keeps the sample as it came, for snapshots.
import { useCallback, useEffect, useReducer, useRef } from "react";
import type { BackendChoice } from "../../analysis/types.js";
import type { HelloLine } from "../../schema/helper-line.js";
import type { SampleSource } from "../../sources/sample-source.js";
import { readStream } from "../../sources/sample-stream.js";
import { printable, printableStrings } from "../../text/printable.js";
import { streamEndOf, type Analyse, type AnalysedSample, type DriftPoint, type OpenSource, type StreamEnd } from "../stream-types.js";

/** enough for the widest sparkline */
export const HISTORY_LIMIT = 400;
/** progress messages and notices kept for the starting screen */
const NOTICE_LIMIT = 8;

export interface StreamState {
  /** "drgn helper on this machine", "replay of run.jsonl"; "" until the source is open */
  origin: string;
  /** how the backend was picked (auto: which ones it skipped and why); null for a recording */
  backend: BackendChoice | null;
  notices: string[];
  /** a notice that came while samples were flowing (e.g. "reconnecting…"), until the next sample */
  alert: string | null;
  hello: HelloLine | null;
  latest: AnalysedSample | null;
  /** the latest sample with the target's strings as they came, for snapshots (JSON keeps them exact) */
  exact: AnalysedSample | null;
  history: DriftPoint[];
  end: StreamEnd | null;
}

export interface StreamControls {
  sampleNow(): void;
  setInterval(ms: number): void;
  setPaused(paused: boolean): void;
  /** stops the source (and its helper); safe to call before it is open, and twice */
  close(): Promise<void>;
}

type Action =
  | { type: "opened"; origin: string; backend: BackendChoice | null }
  | { type: "notice"; text: string }
  | { type: "hello"; hello: HelloLine }
  | { type: "sample"; analysed: AnalysedSample; exact: AnalysedSample }
  | { type: "end"; end: StreamEnd };

const initialState: StreamState = {
  origin: "",
  backend: null,
  notices: [],
  alert: null,
  hello: null,
  latest: null,
  exact: null,
  history: [],
  end: null,
};

function reduce(state: StreamState, action: Action): StreamState {
  switch (action.type) {
    case "opened":
      return { ...state, origin: action.origin, backend: action.backend };
    case "notice":
      return {
        ...state,
        notices: [...state.notices, action.text].slice(-NOTICE_LIMIT),
        alert: state.latest ? action.text : state.alert,
      };
    case "hello":
      return { ...state, hello: action.hello };
    case "sample": {
      const { sample, analysis } = action.analysed;
      // an unstable estimate has no drift to plot: the history skips it
      const history = analysis.rss
        ? [...state.history, { seq: sample.seq, monoMs: sample.mono_ms, driftPages: analysis.rss.driftPages }].slice(-HISTORY_LIMIT)
        : state.history;
      return { ...state, alert: null, latest: action.analysed, exact: action.exact, history };
    }
    case "end":
      return state.end ? state : { ...state, end: action.end };
  }
}

export function useSampleStream(open: OpenSource, analyse: Analyse): { state: StreamState; controls: StreamControls } {
  const [state, dispatch] = useReducer(reduce, initialState);
  const source = useRef<SampleSource | null>(null);
  const closing = useRef(false);

  useEffect(() => {
    let unmounted = false;
    const send = (action: Action) => {
      if (!unmounted && !closing.current) dispatch(action);
    };
    void (async () => {
      try {
        const opened = await open((text) => send({ type: "notice", text: printable(text) }));
        source.current = opened;
        if (closing.current || unmounted) {
          await opened.close();
          return;
        }
        send({ type: "opened", origin: printable(opened.origin), backend: printableStrings(opened.backend ?? null) });
        for await (const event of readStream(opened, analyse)) {
          if (unmounted || closing.current) break;
          if (event.kind === "progress") send({ type: "notice", text: printable(event.message) });
          else if (event.kind === "hello") send({ type: "hello", hello: printableStrings(event.hello) });
          else send({ type: "sample", analysed: printableStrings(event.analysed), exact: event.analysed });
        }
        send({ type: "end", end: { kind: "finished" } });
      } catch (error) {
        send({ type: "end", end: streamEndOf(error) });
      }
    })();
    return () => {
      unmounted = true;
    };
    // opened once for the life of the view, on purpose: one long-lived helper
  }, []);

  const close = useCallback(async () => {
    closing.current = true;
    await source.current?.close();
  }, []);

  const controls: StreamControls = {
    sampleNow: () => source.current?.sampleNow(),
    setInterval: (ms) => source.current?.setInterval(ms),
    setPaused: (paused) => source.current?.setPaused(paused),
    close,
  };
  return { state, controls };
}
