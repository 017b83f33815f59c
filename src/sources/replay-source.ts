// Plays back a recording (the helper's JSON lines, one per line, as `--record` writes them)
// with no root and no kernel. Every line is validated with parseHelperLine, exactly as live
// output is, before anything plays. Samples are paced by their mono_ms gaps divided by the speed.
import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import { EXIT, RssdriftError, helperError } from "../errors.js";
import type { HelloLine, HelperLine } from "../schema/helper-line.js";
import { parseHelperLine } from "../schema/validate-line.js";
import type { SampleSource } from "./sample-source.js";

export interface ReplaySource extends SampleSource {
  /** the recording's hello line: its interval_ms is the recorded pace */
  readonly hello: HelloLine;
}

export const SPEED_RANGE = { min: 0.1, max: 1000 } as const;

function malformed(message: string): RssdriftError {
  return new RssdriftError(message, EXIT.helperFailure, undefined, "malformed-recording");
}

/** Reads and validates a whole recording; a bad line names its file and line number. */
export async function readRecording(path: string): Promise<{ lines: HelperLine[]; hello: HelloLine }> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message;
    throw new RssdriftError(`cannot read recording ${path}: ${reason}`, EXIT.badInput, undefined, "bad-input");
  }
  const lines: HelperLine[] = [];
  text.split("\n").forEach((raw, index) => {
    if (raw.trim() !== "") lines.push(parseHelperLine(raw, `${path} line ${index + 1}:`));
  });
  const helloAt = lines.findIndex((line) => line.type === "hello");
  const firstSample = lines.findIndex((line) => line.type === "sample");
  if (helloAt < 0) throw malformed(`${path} is not a recording: it has no hello line`);
  if (firstSample >= 0 && firstSample < helloAt) throw malformed(`${path} line order is wrong: a sample comes before the hello line`);
  if (lines.filter((line) => line.type === "hello").length > 1) throw malformed(`${path} holds more than one run (two hello lines)`);
  return { lines, hello: lines[helloAt] as HelloLine };
}

/**
 * sampleNow plays the next sample at once (while paused: one step); setInterval(ms) plays as if
 * samples had been taken every ms (speed = recorded interval / ms); pause holds the clock.
 */
export function replaySource(path: string, lines: HelperLine[], hello: HelloLine, speed: number): ReplaySource {
  let closed = false;
  let paused = false;
  let stepRequested = false;
  let currentSpeed = speed;
  /** when the last sample played (performance.now()), and when a pause began */
  let lastPlayed = 0;
  let pausedAt: number | null = null;
  let wake: (() => void) | null = null;
  let timer: NodeJS.Timeout | undefined;

  const poke = () => {
    clearTimeout(timer);
    wake?.();
    wake = null;
  };
  const sleep = (ms: number | null) =>
    new Promise<void>((resolve) => {
      wake = resolve;
      if (ms !== null) timer = setTimeout(poke, ms);
    });

  /** waits until the sample `gapMs` (recorded) after the last one is due; false when closed */
  async function waitForTurn(gapMs: number): Promise<boolean> {
    for (;;) {
      if (closed) return false;
      if (stepRequested) {
        stepRequested = false;
        return true;
      }
      if (paused) {
        await sleep(null);
        continue;
      }
      const left = lastPlayed + gapMs / currentSpeed - performance.now();
      if (left <= 0) return true;
      await sleep(left);
    }
  }

  async function* play(): AsyncGenerator<HelperLine> {
    let previousMono: number | null = null;
    for (const line of lines) {
      if (closed) return;
      if (line.type === "error") throw helperError(line.code, line.message, line.hint);
      if (line.type === "sample") {
        if (previousMono !== null && !(await waitForTurn(Math.max(0, line.mono_ms - previousMono)))) return;
        previousMono = line.mono_ms;
        lastPlayed = performance.now();
        // a step taken while paused: the rest of the pause counts from it
        if (pausedAt !== null) pausedAt = lastPlayed;
      }
      yield line;
    }
  }

  const iterator = play();
  return {
    origin: `replay of ${basename(path)}`,
    hello,
    [Symbol.asyncIterator]: () => iterator,
    sampleNow() {
      stepRequested = true;
      poke();
    },
    setInterval(ms) {
      currentSpeed = hello.interval_ms / ms;
      poke();
    },
    setPaused(value) {
      if (value === paused) return;
      paused = value;
      if (paused) pausedAt = performance.now();
      else if (pausedAt !== null) {
        // the time spent paused does not count towards the next sample's gap
        lastPlayed += performance.now() - pausedAt;
        pausedAt = null;
      }
      poke();
    },
    async close() {
      closed = true;
      poke();
      await iterator.return(undefined);
    },
  };
}

export async function openReplaySource(path: string, speed = 1): Promise<ReplaySource> {
  const { lines, hello } = await readRecording(path);
  return replaySource(path, lines, hello, speed);
}
