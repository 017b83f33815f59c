// The one policy for a stdout that can no longer be written, for every command: wired once by
// the entry point. A reader that went away (`| head -1`: EPIPE) ends the run quietly with 141,
// the status a shell gives a process killed by SIGPIPE; any other write failure (a full disk:
// ENOSPC, an I/O error) is one line on stderr and EXIT.outputFailed. Either way the run stops.
import { EXIT } from "../errors.js";

export interface OutputPolicy {
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
): OutputPolicy {
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
