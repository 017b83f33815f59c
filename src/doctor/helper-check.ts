// Runs the helper once in its check mode (`--check`, helpers/rssdrift_helper/checks.py) over the
// doctor's transport, started as every helper is (helper-launch.ts), and reads its one check
// line. What the helper cannot say itself is told apart here: the interpreter is not there or
// does not start, sudo -n is refused. Bounded in time, stopped by Ctrl-C, always closed.
import type { Readable } from "node:stream";
import { EXIT, helperError, RssdriftError } from "../errors.js";
import type { CheckLine } from "../schema/helper-line.js";
import { parseProtocolLine } from "../schema/validate-line.js";
import { boundedLines } from "../sources/bounded-lines.js";
import { helperLineTooLong } from "../sources/helper-failure.js";
import { checkArgv, helperPreamble, type HelperOptions } from "../sources/helper-launch.js";
import { sudoFailure } from "../transports/ssh-sudo.js";
import type { CommandExit, RunningCommand, Transport } from "../transports/transport.js";

/** drgn indexes vmlinux's DWARF while the era is checked: seconds on a real machine, longer under emulation */
const CHECK_TIMEOUT_MS = 180_000;

export type CheckRun =
  /** the helper ran and said everything */
  | { kind: "line"; line: CheckLine }
  /** the interpreter (or, through sudo, what sudo found) is not there */
  | { kind: "no-python"; detail: string }
  /** the interpreter is there, but ended without a line: `detail` says how */
  | { kind: "python-failed"; detail: string }
  /** sudo -n did not run it: `error` says why and what to do, `stderr` is sudo's own last line */
  | { kind: "sudo-refused"; error: RssdriftError; stderr: string };

type CheckOptions = Pick<HelperOptions, "sudo" | "python" | "vmlinux">;

function lastLine(text: string): string {
  return text.trim().split("\n").at(-1)?.trim() ?? "";
}

function tailOf(stream: Readable, maxChars = 4096): () => string {
  let tail = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => (tail = (tail + chunk).slice(-maxChars)));
  return () => tail;
}

/** Why a run ended without its line, from its exit and the tail of its stderr. */
function classifyExit(exit: CommandExit, stderr: string, sudo: boolean, where: string): CheckRun {
  const last = lastLine(stderr);
  const refused = sudo ? sudoFailure(stderr, where) : undefined;
  if (refused) return { kind: "sudo-refused", error: refused, stderr: last };
  if (exit.code === 127 || /command not found|No such file or directory|: not found$/.test(last)) {
    return { kind: "no-python", detail: last || "command not found" };
  }
  const how = exit.signal ? `killed by ${exit.signal}` : `exit ${exit.code}`;
  return { kind: "python-failed", detail: last ? `${last} (${how})` : how };
}

async function start(transport: Transport, argv: string[], sudo: boolean): Promise<RunningCommand | CheckRun> {
  try {
    return await transport.start(argv);
  } catch (err) {
    if (!(err instanceof RssdriftError) || err.code !== "no-command") throw err;
    // the first word was not found: sudo when asked for, else the interpreter
    if (sudo)
      return {
        kind: "sudo-refused",
        error: new RssdriftError(
          `sudo is not installed on ${transport.where}`,
          EXIT.missingPrerequisite,
          "install sudo, or run as root",
          "no-sudo",
        ),
        stderr: err.message,
      };
    return { kind: "no-python", detail: err.message };
  }
}

/** The check line the helper printed, or undefined; an error line stands as the error it is. */
async function readCheckLine(command: RunningCommand, origin: string): Promise<CheckLine | undefined> {
  let found: CheckLine | undefined;
  for await (const text of boundedLines(command.stdout, () => helperLineTooLong(origin))) {
    if (text.trim() === "") continue;
    const line = parseProtocolLine(text, origin);
    if (line.type === "error") throw helperError(line.code, line.message, line.hint);
    if (line.type === "check") found = line;
  }
  return found;
}

export async function runHelperCheck(transport: Transport, options: CheckOptions, signal?: AbortSignal): Promise<CheckRun> {
  const origin = `the helper on ${transport.where}`;
  const started = await start(transport, checkArgv(options), options.sudo);
  if ("kind" in started) return started;
  const command = started;
  const stderr = tailOf(command.stderr);
  const stop = () => void command.stop();
  signal?.addEventListener("abort", stop, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<"expired">((resolve) => (timer = setTimeout(() => resolve("expired"), CHECK_TIMEOUT_MS)));
  const reading = readCheckLine(command, origin);
  reading.catch(() => {}); // after a timeout nobody awaits it; how it ends is not news
  try {
    // the helper reads its bundle, then nothing more: stdin is done
    command.stdin.end(helperPreamble());
    const line = await Promise.race([reading, expired]);
    if (signal?.aborted) throw new RssdriftError("interrupted", EXIT.interrupted, undefined, "interrupted");
    if (line === "expired") {
      throw new RssdriftError(
        `${origin} sent no check line within ${CHECK_TIMEOUT_MS / 1000} s (drgn still loading the kernel's debug info?)`,
        EXIT.helperFailure,
        "run it again; if it persists, run `rssdrift 1 --backend drgn` to see the helper's progress",
        "check-timeout",
      );
    }
    if (line !== undefined) return { kind: "line", line };
    const exit = await command.exited;
    if (exit.code === 0) throw new RssdriftError(`${origin} ended without a check line`, EXIT.helperFailure, undefined, "no-check-line");
    return classifyExit(exit, stderr(), options.sudo, transport.where);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", stop);
    await command.stop();
  }
}
