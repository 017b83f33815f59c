// Every failure the user can meet, as one class with a stable exit code, so the entry point
// can print one line and exit without a stack trace.
import type { HelperErrorCode } from "./schema/helper-line.js";

/** Exit codes scripts can rely on. Documented in `rssdrift --help`. */
export const EXIT = {
  ok: 0,
  internal: 1,
  /** bad arguments, a pid that is not a number, a kernel thread (no user memory) */
  badInput: 2,
  /** the target is gone: no such pid, exited, zombie, pid reused */
  targetGone: 3,
  /** something the kernel path needs is missing: root (or sudo without a password), drgn, /proc/kcore, debug info, python3 */
  missingPrerequisite: 4,
  /** the helper failed: crashed, printed a malformed line, or met a kernel layout it does not know */
  helperFailure: 5,
  /** SSH: connection refused, unreachable, authentication failed */
  sshFailure: 6,
  /** SSH: the host key is unknown or has changed */
  hostKey: 7,
  /** the output could not be written: a full disk (ENOSPC), an I/O error */
  outputFailed: 8,
  /** stopped by Ctrl-C */
  interrupted: 130,
  /** the reader of the output went away (`| head -1`): quiet, the status of a SIGPIPE death (128 + 13) */
  closedPipe: 141,
} as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class RssdriftError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    /** a second line: what to do about it */
    readonly hint?: string,
    /** the stable machine-readable code, for --json output */
    readonly code: string = "error",
  ) {
    super(message);
    this.name = "RssdriftError";
  }
}

const exitCodeOfHelperError: Record<HelperErrorCode, ExitCode> = {
  "bad-args": EXIT.badInput,
  "kernel-thread": EXIT.badInput,
  "no-such-pid": EXIT.targetGone,
  zombie: EXIT.targetGone,
  "pid-reused": EXIT.targetGone,
  "target-exited": EXIT.targetGone,
  "not-root": EXIT.missingPrerequisite,
  "no-kcore": EXIT.missingPrerequisite,
  lockdown: EXIT.missingPrerequisite,
  "no-drgn": EXIT.missingPrerequisite,
  "no-debug-info": EXIT.missingPrerequisite,
  "unsupported-layout": EXIT.helperFailure,
  internal: EXIT.helperFailure,
};

/** The error a helper's `error` line stands for. */
export function helperError(code: HelperErrorCode, message: string, hint?: string): RssdriftError {
  return new RssdriftError(message, exitCodeOfHelperError[code], hint, code);
}
