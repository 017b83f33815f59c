// Samples from the helper (its bpf, drgn or procfs reader), running over any Transport (this
// machine or SSH). Every stdout line is validated at this edge; an `error` line becomes a thrown
// RssdriftError. Over a transport that reconnects, a helper lost with its link is started again
// and the stream goes on.
import type { Readable } from "node:stream";
import { EXIT, helperError, RssdriftError } from "../errors.js";
import type { HelloLine, HelperLine } from "../schema/helper-line.js";
import { parseHelperLine } from "../schema/validate-line.js";
import type { RunningCommand, Transport } from "../transports/transport.js";
import { boundedLines } from "./bounded-lines.js";
import { helperExitError, helperLineTooLong, noPythonHint } from "./helper-failure.js";
import { control, HEARTBEAT_EXIT_CODE, HEARTBEAT_S, helperArgv, helperPreamble, pingEveryMs, type HelperOptions } from "./helper-launch.js";
import { DEFAULT_PYTHON } from "./python.js";
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

interface Helper {
  command: RunningCommand;
  stderrTail: () => string;
}

/** `script` replaces helpers/rss_stat.py, for tests of this plumbing with a scripted helper. */
export async function openHelperSource(transport: Transport, options: HelperOptions, script?: Buffer): Promise<SampleSource> {
  const origin =
    options.backend === "procfs" ? `procfs estimate on ${transport.where}` : `${options.backend ?? "drgn"} helper on ${transport.where}`;
  // what the user changed live, so that a restarted helper carries on the same way
  let intervalMs = options.intervalMs;
  let paused = false;
  let closed = false;

  const startHelper = async (): Promise<Helper> => {
    const argv = helperArgv({ ...options, intervalMs });
    const command = await transport.start(argv).catch((err: unknown) => {
      if (!(err instanceof RssdriftError) || err.code !== "no-command") throw err;
      // argv[0] is sudo when we are not root: then python3 was never reached
      if (argv[0] === "sudo") {
        throw new RssdriftError(
          `not root, and ${err.message}`,
          err.exitCode,
          "run rssdrift as root, allow the helper with sudo (docs/sudo.md), or use --backend procfs",
          "no-sudo",
        );
      }
      throw new RssdriftError(err.message, err.exitCode, noPythonHint(options.backend), "no-python");
    });
    const helper = { command, stderrTail: tailOf(command.stderr) };
    command.stdin.write(helperPreamble(script));
    if (paused) command.stdin.write(control.pause);
    return helper;
  };
  let helper = await startHelper();
  const send = (line: string) => {
    if (!closed) helper.command.stdin.write(line);
  };
  const heartbeatS = options.heartbeatS ?? HEARTBEAT_S;
  const heartbeat = setInterval(() => send(control.ping), pingEveryMs(heartbeatS)).unref();

  /** One helper's lines; a repeated hello after a restart is checked, not passed on. */
  async function* helperLines(first: HelloLine | undefined): AsyncGenerator<HelperLine> {
    for await (const text of boundedLines(helper.command.stdout, () => helperLineTooLong(origin))) {
      if (text.trim() === "") continue;
      const line = parseHelperLine(text, origin);
      if (line.type === "error") throw helperError(line.code, line.message, line.hint);
      if (line.type === "hello" && first !== undefined) {
        if (line.target.start_time !== first.target.start_time) {
          throw helperError("pid-reused", `pid ${first.target.pid} now belongs to another process (${line.target.comm})`);
        }
        continue;
      }
      yield line;
    }
  }

  async function* lines(): AsyncGenerator<HelperLine> {
    let hello: HelloLine | undefined;
    try {
      for (;;) {
        let sampled = false;
        for await (const line of helperLines(hello)) {
          if (line.type === "hello") hello = line;
          sampled ||= line.type === "sample";
          yield line;
        }
        const exit = await helper.command.exited;
        if (closed) return;
        if (transport.wasDropped?.(helper.command)) {
          helper = await startHelper();
          continue;
        }
        // the link dropped on a transport that does not reconnect (a one-shot report): an SSH
        // failure, not a helper that "exited with code null"
        if (helper.command.connectionLost) {
          throw new RssdriftError(
            `the SSH connection to ${transport.where} was lost while the helper ran`,
            EXIT.sshFailure,
            undefined,
            "ssh-lost",
          );
        }
        // Our pings stopped for a whole heartbeat period while the helper was sampling: rssdrift
        // was suspended (Ctrl-Z) or starved, and the helper rightly quit. Start it again and say
        // so. A helper that never sampled is not restarted: that would loop.
        if (exit.code === HEARTBEAT_EXIT_CODE && sampled) {
          const message = `the helper on ${transport.where} heard nothing from rssdrift for ${heartbeatS} s (suspended?) and stopped, as it should; started it again`;
          yield { type: "progress", step: "starting", message };
          helper = await startHelper();
          continue;
        }
        if (exit.code !== 0)
          throw helperExitError(exit, helper.stderrTail(), transport.where, options.python ?? DEFAULT_PYTHON, options.backend);
        return;
      }
    } finally {
      closed = true;
      clearInterval(heartbeat);
      await helper.command.stop();
    }
  }

  const iterator = lines();
  return {
    origin,
    [Symbol.asyncIterator]: () => iterator,
    sampleNow: () => send(control.sampleNow),
    setInterval: (ms) => {
      intervalMs = ms;
      send(control.interval(ms));
    },
    setPaused: (value) => {
      paused = value;
      send(value ? control.pause : control.resume);
    },
    async close() {
      closed = true;
      clearInterval(heartbeat);
      await helper.command.stop();
      await iterator.return(undefined);
    },
  };
}
