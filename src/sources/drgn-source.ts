// Samples from the drgn helper, running over any Transport (this machine or SSH). Every stdout
// line is validated at this edge; an `error` line becomes a thrown RssdriftError.
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import { helperError } from "../errors.js";
import type { HelperLine } from "../schema/helper-line.js";
import { parseHelperLine } from "../schema/validate-line.js";
import type { Transport } from "../transports/transport.js";
import { helperExitError } from "./helper-failure.js";
import { control, helperArgv, helperPreamble, PING_EVERY_MS, type HelperOptions } from "./helper-launch.js";
import type { SampleSource } from "./sample-source.js";

/** Keeps the last few KiB of a stream, for error messages. */
function tailOf(stream: Readable, maxChars = 4096): () => string {
  let tail = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    tail = (tail + chunk).slice(-maxChars);
  });
  return () => tail;
}

/** `script` replaces helpers/rss_stat.py, for tests of this plumbing with a scripted helper. */
export async function openDrgnSource(transport: Transport, options: HelperOptions, script?: Buffer): Promise<SampleSource> {
  const origin = `drgn helper on ${transport.where}`;
  const command = await transport.start(helperArgv(options));
  const stderrTail = tailOf(command.stderr);
  command.stdin.write(helperPreamble(script));
  let closed = false;
  const send = (line: string) => {
    if (!closed) command.stdin.write(line);
  };
  const heartbeat = setInterval(() => send(control.ping), PING_EVERY_MS).unref();

  async function* lines(): AsyncGenerator<HelperLine> {
    const input = createInterface({ input: command.stdout, crlfDelay: Infinity });
    try {
      for await (const text of input) {
        if (text.trim() === "") continue;
        const line = parseHelperLine(text, origin);
        if (line.type === "error") throw helperError(line.code, line.message, line.hint);
        yield line;
      }
      const exit = await command.exited;
      if (!closed && exit.code !== 0) throw helperExitError(exit, stderrTail(), transport.where);
    } finally {
      closed = true;
      clearInterval(heartbeat);
      await command.stop();
    }
  }

  const iterator = lines();
  return {
    origin,
    [Symbol.asyncIterator]: () => iterator,
    sampleNow: () => send(control.sampleNow),
    setInterval: (ms) => send(control.interval(ms)),
    setPaused: (paused) => send(paused ? control.pause : control.resume),
    async close() {
      closed = true;
      clearInterval(heartbeat);
      await command.stop();
      await iterator.return(undefined);
    },
  };
}
