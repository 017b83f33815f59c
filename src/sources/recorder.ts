// `--record FILE.jsonl`: writes every validated line of a source to a file as it arrives, in the
// helper's own wire format, so `rssdrift replay FILE` plays the session back. An error that ends
// the source is written as the helper's error line, so a replay ends the same way.
import { closeSync, openSync, writeSync } from "node:fs";
import { ERROR_CODES, type ErrorLine, type HelperErrorCode, type HelperLine } from "../schema/helper-line.js";
import { EXIT, RssdriftError } from "../errors.js";
import { printableJson } from "../text/printable.js";
import type { SampleSource } from "./sample-source.js";

export interface Recorder {
  readonly path: string;
  /** the same source, writing each line it yields */
  record(source: SampleSource): SampleSource;
  close(): void;
}

function isHelperErrorCode(code: string): code is HelperErrorCode {
  return (ERROR_CODES as readonly string[]).includes(code);
}

/** the error line a thrown error stands for, when it came from the helper */
function errorLineOf(error: unknown): ErrorLine | null {
  if (!(error instanceof RssdriftError) || !isHelperErrorCode(error.code)) return null;
  return { type: "error", code: error.code, message: error.message, ...(error.hint ? { hint: error.hint } : {}) };
}

/** Opens (creates or truncates) the file now, so a path that cannot be written fails before sampling. */
export function openRecorder(path: string): Recorder {
  let fd: number | null;
  try {
    fd = openSync(path, "w");
  } catch (err) {
    throw new RssdriftError(`cannot write the recording ${path}: ${(err as Error).message}`, EXIT.badInput, undefined, "bad-input");
  }
  const write = (line: HelperLine) => {
    // synchronous: a line is on disk before the next is read, even if the process dies
    if (fd !== null) writeSync(fd, `${printableJson(line)}\n`);
  };
  const close = () => {
    if (fd !== null) closeSync(fd);
    fd = null;
  };
  return {
    path,
    close,
    record(source) {
      async function* lines(): AsyncGenerator<HelperLine> {
        try {
          for await (const line of source) {
            write(line);
            yield line;
          }
        } catch (error) {
          const line = errorLineOf(error);
          if (line) write(line);
          throw error;
        } finally {
          close();
        }
      }
      const iterator = lines();
      return {
        origin: source.origin,
        [Symbol.asyncIterator]: () => iterator,
        sampleNow: () => source.sampleNow(),
        setInterval: (ms) => source.setInterval(ms),
        setPaused: (paused) => source.setPaused(paused),
        async close() {
          await source.close();
          close();
        },
      };
    },
  };
}
