// Splits a byte stream into lines with a limit on a line's length, for every reader of helper
// lines (the helper's stdout, a recording). readline keeps a line without a newline whole, so a
// stream of 1.5 GB and no newline took the client to 1.2 GB; here it ends at the limit instead.
import type { Readable } from "node:stream";

/** far above any real line (a sample on 4096 CPUs is ~150 KiB) */
export const MAX_LINE_BYTES = 1024 * 1024;

const NEWLINE = 0x0a;
/** chunks read ahead of the consumer before the stream is paused (a file is not read whole) */
const READ_AHEAD_CHUNKS = 16;

/**
 * The stream's chunks, read ahead a little: unlike a stream's own async iterator, the stream
 * keeps flowing up to a few chunks while the consumer waits, so a child's last output is read
 * and its exit noticed; and once the consumer stops, the rest is drained, not held.
 */
async function* chunksOf(stream: Readable): AsyncGenerator<Buffer | string> {
  const queue: (Buffer | string)[] = [];
  let ended = false;
  let failure: Error | null = null;
  let wake: (() => void) | null = null;
  const poke = () => {
    wake?.();
    wake = null;
  };
  const onData = (chunk: Buffer | string) => {
    queue.push(chunk);
    if (queue.length >= READ_AHEAD_CHUNKS) stream.pause();
    poke();
  };
  const onEnd = () => {
    ended = true;
    poke();
  };
  const onError = (error: Error) => {
    failure = error;
    poke();
  };
  stream.on("data", onData).on("end", onEnd).on("close", onEnd).on("error", onError);
  stream.resume();
  try {
    for (;;) {
      const chunk = queue.shift();
      if (chunk !== undefined) {
        if (queue.length < READ_AHEAD_CHUNKS / 2) stream.resume();
        yield chunk;
      } else if (failure) throw failure;
      else if (ended) return;
      else await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    stream.off("data", onData).off("end", onEnd).off("close", onEnd).off("error", onError);
    stream.on("error", () => undefined);
    stream.resume(); // drained, so a child that exits is seen to exit
  }
}

/**
 * Yields each line of `input` (without its newline and a trailing \r), the last one even when
 * unterminated. Throws `tooLong(lineNumber)` as soon as a line passes `maxBytes`.
 */
export async function* boundedLines(
  input: Readable,
  tooLong: (lineNumber: number) => Error,
  maxBytes = MAX_LINE_BYTES,
): AsyncGenerator<string> {
  let parts: Buffer[] = [];
  let pending = 0;
  let lineNumber = 0;
  const take = (last: Buffer): string => {
    parts.push(last);
    const text = Buffer.concat(parts).toString("utf8");
    parts = [];
    pending = 0;
    lineNumber++;
    return text.endsWith("\r") ? text.slice(0, -1) : text;
  };
  for await (const raw of chunksOf(input)) {
    let chunk = typeof raw === "string" ? Buffer.from(raw) : raw;
    for (let newline = chunk.indexOf(NEWLINE); newline >= 0; newline = chunk.indexOf(NEWLINE)) {
      if (pending + newline > maxBytes) throw tooLong(lineNumber + 1);
      const line = take(chunk.subarray(0, newline));
      chunk = chunk.subarray(newline + 1);
      yield line;
    }
    pending += chunk.length;
    if (pending > maxBytes) throw tooLong(lineNumber + 1);
    if (chunk.length > 0) parts.push(chunk);
  }
  if (pending > 0) yield take(Buffer.alloc(0));
}
