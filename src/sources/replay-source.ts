// Plays back a recording (the helper's JSON lines, one per line, as `--record` writes them)
// with no root and no kernel. The file is streamed: read up to its hello line before anything
// plays, then a line at a time as samples are due, so its size does not matter; every line is
// validated with parseHelperLine, exactly as live output is. Samples are paced by their mono_ms
// gaps divided by the speed; a recorded gap longer than MAX_GAP_MS plays as MAX_GAP_MS, said in
// a notice. The recording's progress lines ("loading the kernel's debug info") are not replayed:
// they happened when it was recorded, not now.
import { createReadStream } from "node:fs";
import { basename } from "node:path";
import { EXIT, RssdriftError, helperError } from "../errors.js";
import type { HelloLine, HelperLine } from "../schema/helper-line.js";
import { parseHelperLine } from "../schema/validate-line.js";
import { boundedLines, MAX_LINE_BYTES } from "./bounded-lines.js";
import type { SampleSource } from "./sample-source.js";

export interface ReplaySource extends SampleSource {
  /** the recording's hello line: its interval_ms is the recorded pace */
  readonly hello: HelloLine;
}

export const SPEED_RANGE = { min: 0.1, max: 1000 } as const;
/** the longest recorded gap played as recorded (a live session paused for hours is not replayed as hours) */
export const MAX_GAP_MS = 60_000;
/** lines a recording may have before its hello line (the helper prints a handful of progress lines) */
const MAX_LINES_BEFORE_HELLO = 1000;

function malformed(message: string): RssdriftError {
  return new RssdriftError(message, EXIT.helperFailure, undefined, "malformed-recording");
}

/** A recording that cannot be opened or read (missing, a directory, no permission) is bad input. */
function cannotRead(path: string, err: unknown): RssdriftError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (err as Error).message;
  return new RssdriftError(`cannot read recording ${path}: ${reason}`, EXIT.badInput, undefined, "bad-input");
}

/** Every line of a recording, validated, as it is read; a bad line names its file and line number. */
async function* recordingLines(path: string): AsyncGenerator<HelperLine> {
  const stream = createReadStream(path);
  const opened = new Promise<void>((resolve, reject) => {
    stream.once("open", () => resolve());
    stream.once("error", reject);
  });
  try {
    await opened;
  } catch (err) {
    throw cannotRead(path, err);
  }
  let number = 0;
  const tooLong = (at: number) => malformed(`${path} line ${at} is longer than ${MAX_LINE_BYTES / 1024 / 1024} MiB: not a helper line`);
  try {
    for await (const raw of boundedLines(stream, tooLong)) {
      number++;
      if (raw.trim() !== "") yield parseHelperLine(raw, `${path} line ${number}:`);
    }
  } catch (err) {
    // a directory opens; it fails on the first read (EISDIR)
    throw err instanceof RssdriftError ? err : cannotRead(path, err);
  } finally {
    stream.destroy();
  }
}

/** Reads a recording up to its hello line; the rest is left to play. */
async function readUpToHello(path: string, lines: AsyncIterator<HelperLine>): Promise<HelloLine> {
  for (let count = 0; count < MAX_LINES_BEFORE_HELLO; count++) {
    const next = await lines.next();
    if (next.done) break;
    const line = next.value;
    if (line.type === "hello") return line;
    if (line.type === "sample") throw malformed(`${path} is not a recording: it has no hello line before its first sample`);
    if (line.type === "error")
      throw malformed(`${path} is not a recording: the run it holds failed before its hello line (${line.message})`);
  }
  throw malformed(`${path} is not a recording: it has no hello line`);
}

/** Reads and validates a whole recording (small ones: tests and tools); the player streams instead. */
export async function readRecording(path: string): Promise<{ lines: HelperLine[]; hello: HelloLine }> {
  const lines: HelperLine[] = [];
  for await (const line of recordingLines(path)) lines.push(line);
  const iterator = lines[Symbol.iterator]();
  const hello = await readUpToHello(path, { next: async () => iterator.next() });
  for (const line of iterator) if (line.type === "hello") throw malformed(`${path} holds more than one run (two hello lines)`);
  return { lines, hello };
}

/** "2.3 h", "41 min", "75 s" */
function duration(ms: number): string {
  if (ms >= 3_600_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  if (ms >= 120_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 1000)} s`;
}

/**
 * Plays `lines` (what follows `hello` in the recording at `path`). sampleNow plays the next
 * sample at once (while paused: one step); setInterval(ms) plays as if samples had been taken
 * every ms (speed = recorded interval / ms); pause holds the clock.
 */
export function replaySource(
  path: string,
  lines: AsyncIterable<HelperLine> | Iterable<HelperLine>,
  hello: HelloLine,
  speed: number,
): ReplaySource {
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
    yield hello;
    let previousMono: number | null = null;
    for await (const line of lines) {
      if (closed) return;
      if (line.type === "progress") continue;
      if (line.type === "error") throw helperError(line.code, line.message, line.hint);
      if (line.type === "hello") throw malformed(`${path} holds more than one run (two hello lines)`);
      if (previousMono !== null) {
        const gapMs = Math.max(0, line.mono_ms - previousMono);
        if (gapMs > MAX_GAP_MS) {
          const message = `the recording has a ${duration(gapMs)} gap before sample #${line.seq}: played as ${duration(MAX_GAP_MS)} (at ×1)`;
          yield { type: "progress", step: "sampling", message };
        }
        if (!(await waitForTurn(Math.min(gapMs, MAX_GAP_MS)))) return;
      }
      previousMono = line.mono_ms;
      lastPlayed = performance.now();
      // a step taken while paused: the rest of the pause counts from it
      if (pausedAt !== null) pausedAt = lastPlayed;
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

/** Opens a recording and reads it up to its hello line: a file that is no recording fails here. */
export async function openReplaySource(path: string, speed = 1): Promise<ReplaySource> {
  const lines = recordingLines(path);
  try {
    const hello = await readUpToHello(path, lines);
    const source = replaySource(path, { [Symbol.asyncIterator]: () => lines }, hello, speed);
    return {
      ...source,
      async close() {
        await source.close();
        await lines.return(undefined); // the file, also when playing never began
      },
    };
  } catch (err) {
    await lines.return(undefined);
    throw err;
  }
}
