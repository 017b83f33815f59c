// The view on a terminal: mounts the Ink app on the command's streams and waits for it to end.
import { render } from "ink";
import { App } from "./App.js";
import type { Analyse, AnalysedSample, DriftPoint, Mark, OpenSource, ViewContext, ViewOutcome } from "./stream-types.js";
import { ThemeProvider, themeFor } from "./theme.js";

export interface InteractiveOptions {
  ctx: ViewContext;
  open: OpenSource;
  analyse: Analyse;
  saveSnapshot: (sample: AnalysedSample, marks: Mark[], history: DriftPoint[]) => Promise<string[]>;
  mode: "live" | "replay";
  intervalMs?: number;
  /** why this backend is in use, one line under the title (see App's backendNote) */
  backendNote?: string;
}

export async function runInteractive({
  ctx,
  open,
  analyse,
  saveSnapshot,
  mode,
  intervalMs,
  backendNote,
}: InteractiveOptions): Promise<ViewOutcome> {
  // if Ink ends without the app saying how (it cannot, short of a crash), it was interrupted
  let outcome: ViewOutcome = { kind: "interrupted" };
  const instance = render(
    <ThemeProvider theme={themeFor(ctx.output.color)}>
      <App
        open={open}
        analyse={analyse}
        saveSnapshot={saveSnapshot}
        onDone={(how) => (outcome = how)}
        mode={mode}
        intervalMs={intervalMs}
        signal={ctx.signal}
        backendNote={backendNote}
      />
    </ThemeProvider>,
    {
      stdout: ctx.stdout as NodeJS.WriteStream,
      stdin: ctx.stdin as NodeJS.ReadStream,
      stderr: ctx.stderr as NodeJS.WriteStream,
      // q and Ctrl-C go through the app, which stops the helper before exiting
      exitOnCtrlC: false,
      patchConsole: false,
      // not incrementalRendering: in Ink 6.8 it stacks frames when the frame grows (the starting
      // screen, then the first sample) instead of redrawing in place (the e2e test shows it)
    },
  );
  await instance.waitUntilExit();
  return outcome;
}
