// How every command's output looks and what happens when it cannot be written, decided here once
// and handed to the commands: no command decides colour or width itself.
//
// Colour: `--no-color` or NO_COLOR (https://no-color.org) turn it off; else FORCE_COLOR turns it
// on, even into a pipe (0 or false: off), as Node's and chalk's FORCE_COLOR do; else colour only
// on a terminal. Width: the terminal's columns; none for a pipe or a file.
//
// Write failures: a reader that went away (`| head -1`: EPIPE) ends the run quietly with 141, the
// status a shell gives a process killed by SIGPIPE; any other write failure (a full disk: ENOSPC,
// an I/O error) is one line on stderr and EXIT.outputFailed. Either way the run stops.
import { EXIT } from "../errors.js";

export interface OutputPolicy {
  /** SGR colour codes in what is written to stdout (and the live view's colours) */
  color: boolean;
  /** the terminal's columns; undefined when stdout is not a terminal */
  width?: number;
}

/** set to anything but the empty string: no-color.org's rule, and FORCE_COLOR's */
const isSet = (value: string | undefined): value is string => value !== undefined && value !== "";

/** The output policy for a command run on `stdout` in `env`, with or without --no-color. */
export function decideOutput(stdout: { isTTY?: boolean; columns?: number }, env: NodeJS.ProcessEnv, noColorFlag: boolean): OutputPolicy {
  const terminal = stdout.isTTY === true;
  let color: boolean;
  if (noColorFlag || isSet(env.NO_COLOR)) color = false;
  else if (isSet(env.FORCE_COLOR)) color = env.FORCE_COLOR !== "0" && env.FORCE_COLOR.toLowerCase() !== "false";
  else color = terminal;
  return terminal && stdout.columns ? { color, width: stdout.columns } : { color };
}

export interface OutputGuard {
  /** the exit status the output's failure imposes, or null while every write has succeeded */
  readonly exitCode: number | null;
}

/**
 * Listens for `output`'s write errors for the rest of the process (never removed: an error can
 * arrive after the last command returned). `onFailure` is called once, with the exit status.
 */
export function guardOutput(
  output: NodeJS.WritableStream,
  errors: NodeJS.WritableStream,
  onFailure: (exitCode: number) => void,
): OutputGuard {
  let exitCode: number | null = null;
  output.on("error", (error: NodeJS.ErrnoException) => {
    if (exitCode !== null) return; // later writes to the dead stream fail too: said once
    if (error.code === "EPIPE") exitCode = EXIT.closedPipe;
    else {
      exitCode = EXIT.outputFailed;
      const reason = error.message.replace(/^[A-Z]+: /, "").replace(/, write$/, "");
      errors.write(`rssdrift: cannot write the output: ${reason}${error.code ? ` (${error.code})` : ""}\n`);
    }
    onFailure(exitCode);
  });
  // stderr gone too: nothing left to tell, but no crash either
  errors.on("error", () => undefined);
  return {
    get exitCode() {
      return exitCode;
    },
  };
}
